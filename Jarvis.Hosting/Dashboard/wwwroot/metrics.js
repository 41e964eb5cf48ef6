"use strict";
// An instrument's series over time: the value of counters and gauges, p50/p95/p99 of histograms. One dropdown per
// dimension key narrows the series; the points come for all series and are filtered here.
{
  const { el, show, getJson, live, query, setQuery, options, colour } = jarvis;
  const form = document.getElementById("filters");
  const { resource, instrument, minutes } = form.elements;
  const chosen = new Map();
  let instruments = [];
  resource.dataset.initial = query("resource");
  instrument.dataset.initial = query("meter") && `${query("meter")}|${query("instrument")}`;
  form.addEventListener("submit", e => e.preventDefault());

  const current = () => instruments.find(i => `${i.meter}|${i.name}` === instrument.value);

  async function loadResources() {
    try {
      options(resource, await getJson("/api/telemetry/resources"), "Choose a resource");
      if (resource.value) { await loadInstruments(); }
    } catch { /* the poller reports errors */ }
  }

  async function loadInstruments() {
    instruments = await getJson(`/api/telemetry/instruments?resource=${encodeURIComponent(resource.value)}`);
    // The instrument named in the address may not have been exported yet: it stays wanted until it shows up.
    const before = instrument.value;
    const wanted = instrument.dataset.initial || before;
    instrument.replaceChildren(el("option", { value: "" }, "Choose an instrument"),
      ...instruments.map(i => el("option", { value: `${i.meter}|${i.name}` }, `${i.name} (${i.meter})`)));
    instrument.value = instruments.some(i => `${i.meter}|${i.name}` === wanted) ? wanted : "";
    if (instrument.value) { delete instrument.dataset.initial; }
    if (instrument.value !== before) { poller.refresh(); }
  }

  function dimensionPickers(series) {
    const keys = current()?.dimensionKeys ?? [];
    show("dimensions", keys.map(key => {
      const values = [...new Set(series.flatMap(s => s.dimensions.filter(d => d.key === key).map(d => d.value)))].sort();
      const select = el("select", { dataset: { dimension: key }, onchange: e => { chosen.set(key, e.target.value); render(lastDetail); } });
      options(select, values, "(all)");
      select.value = values.includes(chosen.get(key)) ? chosen.get(key) : "";
      return el("label", null, key, " ", select);
    }));
  }

  const histogram = type => type === "Histogram" || type === "ExponentialHistogram" || type === "Summary";
  const dashes = { p50: "", p95: "6 3", p99: "2 3" };
  let lastDetail = null;

  function render(detail) {
    lastDetail = detail;
    const info = detail.instrument;
    document.getElementById("description").textContent = `${info.type}${info.unit ? ` in ${info.unit}` : ""}${info.description ? ` — ${info.description}` : ""}`;
    dimensionPickers(detail.series);
    const series = detail.series.filter(s => [...chosen].every(([k, v]) => !v || s.dimensions.some(d => d.key === k && d.value === v))).slice(0, 12);
    // A series is named by the dimensions that tell it apart from the others shown.
    const varying = info.dimensionKeys.filter(k => new Set(series.map(s => s.dimensions.find(d => d.key === k)?.value)).size > 1);
    const lines = series.flatMap(s => {
      const name = s.dimensions.filter(d => varying.includes(d.key)).map(d => `${d.key}=${d.value}`).join(", ") || info.name;
      const points = field => s.points.filter(p => p[field] !== null && p[field] !== undefined).map(p => ({ t: new Date(p.time), v: p[field] }));
      return histogram(info.type)
        ? Object.keys(dashes).map(q => ({ name: `${q} ${name}`, colour: colour(name), dash: dashes[q], points: points(q) }))
        : [{ name, colour: colour(name), dash: "", points: points("value") }];
    }).filter(l => l.points.length);
    show("chart", lines.length ? chart.render(lines, info.unit, Date.now() - minutes.value * 60_000, Date.now()) : el("p", { className: "muted" }, "No points in this window."));
    show("legend", lines.map(l => { const s = el("span", { dataset: { line: l.name } }, "■ ", l.name); s.style.color = l.colour; return s; }));
  }

  resource.addEventListener("change", async () => { instrument.value = ""; delete instrument.dataset.initial; chosen.clear(); await loadInstruments(); update(); });
  instrument.addEventListener("change", () => { delete instrument.dataset.initial; chosen.clear(); update(); });
  minutes.addEventListener("change", update);

  function update() {
    const i = current();
    setQuery({ resource: resource.value, meter: i?.meter, instrument: i?.name });
    if (!i) { show("chart"); show("legend"); show("dimensions"); document.getElementById("description").textContent = ""; }
    poller.refresh();
  }

  const poller = live(() => {
    const i = current();
    return i ? `/api/telemetry/instruments/${[resource.value, i.meter, i.name].map(encodeURIComponent).join("/")}?minutes=${minutes.value}` : null;
  }, render);
  loadResources();
  setInterval(loadResources, 5000);
}
