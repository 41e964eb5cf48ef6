"use strict";
// Live console output of one resource. Only the newest lines stay in the page, so a chatty resource cannot slow it down.
{
  const { el, getJson, live, query, setQuery, options, status } = jarvis;
  const maxLines = 5000;
  const picker = document.getElementById("resource");
  const log = document.getElementById("log");
  const follow = document.getElementById("follow");
  const count = document.getElementById("count");
  let resource = query("resource");
  let after = 0;
  let style = ansi.state();
  picker.dataset.initial = resource;

  async function loadResources() {
    try {
      const names = (await getJson("/api/resources")).filter(r => r.resourceType !== "Parameter").map(r => r.name);
      options(picker, names, "Choose a resource");
    } catch (error) { status.textContent = error.message; }
  }

  const logsOf = name => `/api/resources/${encodeURIComponent(name)}/logs?`;

  function append(lines, url) {
    // An answer for the resource picked before the current one arrives after the switch: drop it.
    if (!url.startsWith(logsOf(resource))) { return; }
    for (const line of lines) {
      const row = el("div", { className: line.isError ? "stderr" : "", dataset: { sequence: line.sequence } });
      row.append(ansi.render(line.text, style));
      log.append(row);
      after = line.sequence;
    }
    while (log.childElementCount > maxLines) { log.firstElementChild.remove(); }
    count.textContent = `${log.childElementCount} lines shown`;
    if (follow.checked && lines.length) { log.scrollTop = log.scrollHeight; }
  }

  picker.addEventListener("change", () => {
    resource = picker.value;
    setQuery({ resource });
    log.replaceChildren();
    after = 0;
    style = ansi.state();
    poller.refresh();
  });

  loadResources();
  setInterval(loadResources, 10000);
  // The sequence number makes each answer hold only new lines, so no ETag is needed; nothing to poll without a resource.
  const poller = live(() => resource ? `${logsOf(resource)}after=${after}&limit=${maxLines}` : null, append);
}
