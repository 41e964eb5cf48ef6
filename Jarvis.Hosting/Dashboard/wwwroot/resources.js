"use strict";
// The resource list: state, health, source and URLs of each resource, with start, stop and restart.
{
  const { el, link, show, post, live, time } = jarvis;

  async function command(name, command) {
    try { await post(`/api/resources/${encodeURIComponent(name)}/commands/${command}`); }
    catch (error) { alert(error.message); }
    poller.refresh();
  }

  function row(r) {
    const actions = r.resourceType === "Parameter" ? [] : ["start", "stop", "restart"].map(c =>
      el("button", { type: "button", onclick: () => command(r.name, `resource-${c}`) }, c));
    return el("tr", { dataset: { resource: r.name } },
      el("td", { className: "nowrap" }, link(`/resources/${encodeURIComponent(r.name)}`, r.name)),
      el("td", null, r.resourceType),
      el("td", { className: r.state }, r.state, r.stateReason ? el("div", { className: "reason" }, r.stateReason) : null),
      el("td", { className: r.healthStatus ?? "" }, r.healthStatus ?? ""),
      el("td", null, time(r.startedAt)),
      el("td", { className: "mono" }, r.source ?? ""),
      el("td", null, r.urls.flatMap((u, i) => i ? [el("br"), link(u)] : [link(u)])),
      el("td", { className: "nowrap" }, actions, r.resourceType === "Parameter" ? null : link(`/consolelogs?resource=${encodeURIComponent(r.name)}`, "console")));
  }

  const poller = live(() => "/api/resources", resources => show("resources", resources.map(row)));
}
