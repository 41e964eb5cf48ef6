"use strict";
// One trace as a waterfall across services: a bar per span, placed by its start and duration, indented by depth and
// coloured per resource. A click shows the span's attributes, events and exceptions.
{
  const { el, link, show, live, time, ms, duration, swatch, colour } = jarvis;
  const traceId = decodeURIComponent(location.pathname.split("/")[2] ?? "");
  const panel = document.getElementById("span");
  let selected = null;

  const table = rows => el("table", null, el("tbody", null, rows.length ? rows.map(a => el("tr", null, el("td", { className: "mono" }, a.key), el("td", { className: "mono" }, a.value)))
    : el("tr", null, el("td", { className: "muted" }, "None."))));

  function exception(event) {
    const get = key => event.attributes.find(a => a.key === key)?.value;
    return el("div", { className: "exception" },
      el("strong", null, get("exception.type") ?? "Exception"), ": ", get("exception.message") ?? "",
      get("exception.stacktrace") ? el("pre", null, get("exception.stacktrace")) : null);
  }

  function showSpan(span) {
    selected = span.spanId;
    panel.hidden = false;
    const exceptions = span.events.filter(e => e.name === "exception");
    const facts = [["Name", span.name], ["Resource", span.resource], ["Scope", span.scope], ["Kind", span.kind], ["Status", span.status + (span.statusMessage ? `: ${span.statusMessage}` : "")],
      ["Start", time(span.start)], ["Duration", duration(span.duration)], ["Span id", span.spanId], ["Parent", span.parentSpanId ?? ""]];
    show("span",
      el("h2", null, "Span"), el("dl", null, facts.flatMap(([k, v]) => [el("dt", null, k), el("dd", { className: k === "Status" ? span.status : "" }, v)])),
      exceptions.length ? el("h2", null, "Exceptions") : null, exceptions.map(exception),
      el("h2", null, "Attributes"), table(span.attributes),
      el("h2", null, "Events"),
      span.events.length ? el("table", null, el("tbody", null, span.events.map(e => el("tr", null,
        el("td", { className: "mono" }, time(e.timestamp)), el("td", null, e.name), el("td", null, table(e.attributes))))))
        : el("p", { className: "muted" }, "None."));
  }

  function bar(span, start, total) {
    const left = (new Date(span.start) - start) / total * 100;
    const width = ms(span.duration) / total * 100;
    const node = el("div", { className: span.status === "Error" ? "bar error" : "bar", title: `${span.resource}: ${span.name}` });
    node.style.left = `${left}%`;
    node.style.width = `${width}%`;
    node.style.background = colour(span.resource);
    const label = el("span", { className: "label" }, duration(span.duration));
    label.style.left = `calc(${Math.min(left + width, 92)}% + 4px)`;
    return [node, label];
  }

  function render(trace) {
    const summary = trace.summary;
    const start = new Date(summary.start);
    const total = Math.max(ms(summary.duration), 0.001);
    document.title = `Jarvis · ${summary.rootName}`;
    show("title", summary.rootName);
    show("summary", `${time(summary.start)} · ${duration(summary.duration)} · ${summary.spanCount} spans · ${summary.errorCount} errors · `,
      summary.resources.map(r => el("span", null, swatch(r), r, " ")), " ", link(`/structuredlogs?traceId=${encodeURIComponent(summary.traceId)}`, "logs of this trace"));
    show("waterfall", trace.spans.map(span => {
      const name = el("div", { className: "name", title: span.name }, swatch(span.resource), el("span", { className: "muted" }, `${span.resource} `), span.name);
      name.style.paddingLeft = `${8 + span.depth * 16}px`;
      const row = el("div", { className: span.spanId === selected ? "row selected" : "row", dataset: { spanId: span.spanId, resource: span.resource },
        onclick: () => { document.querySelector(".waterfall .selected")?.classList.remove("selected"); row.classList.add("selected"); showSpan(span); } },
        name, el("div", { className: "track" }, bar(span, start, total)));
      return row;
    }));
    const current = trace.spans.find(s => s.spanId === selected);
    if (current) { showSpan(current); }
  }

  live(() => `/api/telemetry/traces/${encodeURIComponent(traceId)}`, render);
}
