"use strict";
// Structured log records, filtered on the server; a click shows every attribute and links to the record's trace.
{
  const { el, link, show, getJson, live, search, time, query, setQuery, options } = jarvis;
  const form = document.getElementById("filters");
  const fields = ["resource", "level", "text", "traceId"];
  const detail = document.getElementById("detail");
  let selected = null;

  for (const name of fields) { form.elements[name].value = query(name); }
  form.elements.resource.dataset.initial = query("resource");
  form.addEventListener("submit", e => e.preventDefault());

  const filters = () => Object.fromEntries(fields.map(f => [f, form.elements[f].value.trim()]));

  function showDetail(entry) {
    selected = entry.id;
    detail.hidden = false;
    const facts = [["Time", new Date(entry.timestamp).toISOString()], ["Resource", entry.resource], ["Level", entry.level], ["Category", entry.category ?? ""],
      ["Message", entry.message], ["Trace", entry.traceId ? link(`/traces/${encodeURIComponent(entry.traceId)}`, entry.traceId) : ""], ["Span", entry.spanId ?? ""]];
    detail.replaceChildren(
      el("h2", null, "Log record"),
      el("dl", null, facts.flatMap(([k, v]) => [el("dt", null, k), el("dd", null, v)])),
      el("h2", null, "Attributes"),
      el("table", null, el("tbody", null, entry.attributes.length ? entry.attributes.map(a => el("tr", null, el("td", { className: "mono" }, a.key), el("td", { className: "mono" }, a.value)))
        : el("tr", null, el("td", { className: "muted" }, "None.")))));
  }

  function row(entry) {
    return el("tr", { className: entry.id === selected ? "clickable selected" : "clickable", dataset: { id: entry.id }, onclick: e => select(entry, e.currentTarget) },
      el("td", { className: "mono" }, time(entry.timestamp)),
      el("td", null, entry.resource),
      el("td", { className: entry.level }, entry.level),
      el("td", null, entry.message),
      el("td", { className: "mono" }, entry.traceId ? link(`/traces/${encodeURIComponent(entry.traceId)}`, entry.traceId.slice(0, 8)) : ""));
  }

  function select(entry, tr) {
    document.querySelector("#logs tr.selected")?.classList.remove("selected");
    tr.classList.add("selected");
    showDetail(entry);
  }

  function render(entries) {
    show("logs", entries.map(row));
    document.getElementById("count").textContent = `${entries.length} newest records`;
  }

  async function loadResources() {
    try { options(form.elements.resource, await getJson("/api/telemetry/resources"), "All"); } catch { /* the poller reports errors */ }
  }

  const poller = live(() => `/api/telemetry/logs?${search(filters())}`, render);
  form.addEventListener("input", () => { setQuery(filters()); poller.refresh(); });
  loadResources();
  setInterval(loadResources, 5000);
}
