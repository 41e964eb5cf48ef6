"use strict";
// The newest traces: root span, the resources they touched, duration, spans and errors; a row opens the waterfall.
{
  const { el, link, show, getJson, live, search, time, duration, query, setQuery, options, swatch } = jarvis;
  const form = document.getElementById("filters");
  form.elements.resource.dataset.initial = query("resource");
  form.elements.text.value = query("text");
  form.elements.errorsOnly.checked = query("errorsOnly") === "true";
  form.addEventListener("submit", e => e.preventDefault());

  const filters = () => ({ resource: form.elements.resource.value, text: form.elements.text.value.trim(), errorsOnly: form.elements.errorsOnly.checked ? "true" : "" });

  function row(t) {
    const href = `/traces/${encodeURIComponent(t.traceId)}`;
    return el("tr", { className: "clickable", dataset: { traceId: t.traceId }, onclick: e => { if (!e.target.closest("a")) { location.href = href; } } },
      el("td", { className: "mono" }, time(t.start)),
      el("td", null, link(href, t.rootName), el("div", { className: "muted" }, t.rootResource)),
      el("td", null, t.resources.map(r => el("span", { className: "resource" }, swatch(r), r, " "))),
      el("td", null, duration(t.duration)),
      el("td", null, t.spanCount),
      el("td", { className: t.errorCount ? "Error" : "" }, t.errorCount));
  }

  function render(traces) {
    show("traces", traces.map(row));
    document.getElementById("count").textContent = `${traces.length} newest traces`;
  }

  async function loadResources() {
    try { options(form.elements.resource, await getJson("/api/telemetry/resources"), "All"); } catch { /* the poller reports errors */ }
  }

  const poller = live(() => `/api/telemetry/traces?${search(filters())}`, render);
  form.addEventListener("input", () => { setQuery(filters()); poller.refresh(); });
  loadResources();
  setInterval(loadResources, 5000);
}
