"use strict";
// One resource in detail. A secret's value is never in the snapshot; "reveal" asks for it with a separate request.
{
  const { el, link, show, post, live, time } = jarvis;
  const name = decodeURIComponent(location.pathname.split("/")[2] ?? "");
  const api = `/api/resources/${encodeURIComponent(name)}`;
  const revealed = new Map();
  let snapshot = null;

  async function toggle(variable) {
    if (revealed.has(variable)) {
      revealed.delete(variable);
    } else {
      try { revealed.set(variable, (await post(`${api}/environment/${encodeURIComponent(variable)}/reveal`)).value); }
      catch (error) { alert(error.message); }
    }
    render(snapshot);
  }

  function variable(v) {
    const shown = v.isSecret && revealed.has(v.name) ? revealed.get(v.name) : v.value;
    return el("tr", { dataset: { variable: v.name } },
      el("td", { className: "mono" }, v.name),
      el("td", { className: v.isSecret ? "mono secret" : "mono" }, shown),
      el("td", null, v.isSecret ? el("button", { type: "button", className: "reveal", onclick: () => toggle(v.name) }, revealed.has(v.name) ? "hide" : "reveal") : null));
  }

  const empty = (columns, text) => el("tr", null, el("td", { colspan: columns, className: "muted" }, text));

  function render(r) {
    snapshot = r;
    document.title = `Jarvis · ${r.name}`;
    show("title", r.name, " ", el("span", { className: "muted" }, r.resourceType), " ", el("small", null, link(`/consolelogs?resource=${encodeURIComponent(r.name)}`, "console")));
    const facts = [["State", r.state + (r.stateReason ? ` (${r.stateReason})` : "")], ["Health", r.healthStatus ?? ""], ["Source", r.source ?? ""],
      ["Process id", r.processId ?? ""], ["Started", time(r.startedAt)], ["Stopped", time(r.stoppedAt)], ["Exit code", r.exitCode ?? ""]];
    show("summary", facts.flatMap(([k, v]) => [el("dt", null, k), el("dd", { className: k === "State" ? r.state : "" }, String(v))]));
    show("environment", r.environment.length ? r.environment.map(variable) : empty(3, "None (yet): the environment is known once the resource starts."));
    show("endpoints", r.endpoints.length ? r.endpoints.map(e => el("tr", null, el("td", null, e.name), el("td", null, e.url ? link(e.url) : "not allocated"),
      el("td", null, e.transport), el("td", null, e.targetPort ?? ""), el("td", null, e.isExternal ? "yes" : "no"))) : empty(5, "None."));
    show("health", r.healthReports.length ? r.healthReports.map(h => el("tr", null, el("td", null, h.name), el("td", { className: h.status }, h.status), el("td", null, h.description)))
      : empty(3, r.healthStatus ? "No health checks: healthy while it runs." : "Not checked yet."));
    show("relationships", r.relationships.length ? r.relationships.map(x => el("tr", null,
      el("td", null, link(`/resources/${encodeURIComponent(x.name)}`, x.name)), el("td", null, x.type))) : empty(2, "None."));
  }

  live(() => api, render);
}
