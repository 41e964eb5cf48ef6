"use strict";
// LLM calls with their model, tokens and latency, each linking to its trace.
{
  const { el, link, show, live, time, duration } = jarvis;

  const row = c => el("tr", { dataset: { traceId: c.traceId } },
    el("td", { className: "mono" }, time(c.start)),
    el("td", null, c.resource),
    el("td", null, c.name),
    el("td", null, c.system ?? ""),
    el("td", null, c.model ?? ""),
    el("td", null, c.inputTokens ?? ""),
    el("td", null, c.outputTokens ?? ""),
    el("td", null, duration(c.timeToFirstToken)),
    el("td", null, duration(c.duration)),
    el("td", { className: c.status }, c.status),
    el("td", { className: "mono" }, link(`/traces/${encodeURIComponent(c.traceId)}`, c.traceId.slice(0, 8))));

  live(() => "/api/telemetry/genai?limit=200", calls =>
    show("calls", calls.length ? calls.map(row) : el("tr", null, el("td", { colspan: 11, className: "muted" }, "No LLM calls yet."))));
}
