// The helpers every dashboard page uses. Values reach the page only through textContent and attributes set from
// script (never innerHTML), so a log line or span attribute that looks like markup stays text.
"use strict";

const jarvis = (() => {
  const status = document.getElementById("status");

  /** Creates an element: el("a", { href, className, onclick }, child, "text", ...). Strings become text nodes. */
  function el(tag, props, ...children) {
    const node = tag === "svg" || (props && props.svg) ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
    for (const [key, value] of Object.entries(props ?? {})) {
      if (value === undefined || value === null || value === false || key === "svg") { continue; }
      if (key.startsWith("on")) { node.addEventListener(key.slice(2), value); }
      else if (key === "className") { node.setAttribute("class", value); }
      else if (key === "dataset") { Object.assign(node.dataset, value); }
      else { node.setAttribute(key, value); }
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) { continue; }
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** A link whose target is only ever http(s) or a path of this site: a "javascript:" URL becomes plain text. */
  function link(href, text) {
    const safe = /^(https?:\/\/|\/(?!\/))/i.test(href ?? "");
    return safe ? el("a", { href }, text ?? href) : el("span", null, text ?? href ?? "");
  }

  /** Replaces the children of the element with the given id. */
  function show(id, ...children) {
    document.getElementById(id).replaceChildren(...children.flat(Infinity).filter(c => c !== null && c !== undefined && c !== false));
  }

  async function problem(response) {
    try { return (await response.json()).detail ?? response.statusText; } catch { return response.statusText; }
  }

  /** GET a JSON document; throws with the problem's detail on an error status. */
  async function getJson(url) {
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) { throw new Error(await problem(response)); }
    return response.json();
  }

  /** POST with the header that marks a request as the dashboard's own (see DashboardServer). */
  async function post(url) {
    const response = await fetch(url, { method: "POST", headers: { "X-Dashboard-Command": "1" } });
    if (!response.ok) { throw new Error(await problem(response)); }
    return response.json();
  }

  /**
   * Polls source() (a URL, or null for nothing to poll yet) and calls render(json, url) when its answer changed.
   * An answer's ETag is the version of what it shows, so an unchanged one costs a 304 and no redraw; unchanged
   * answers slow the polling down to every 5 s, and a hidden tab does not poll at all. Returns { refresh() } to poll
   * at once (after a filter changed).
   */
  function live(source, render, interval = 1000) {
    let etag = null, url = null, timer = null, busy = false, again = false, delay = interval;
    async function tick() {
      clearTimeout(timer); timer = null;
      // A refresh during a request (a filter changed) polls again as soon as that request is done.
      if (busy) { again = true; return; }
      busy = true;
      again = false;
      const next = source();
      if (next !== url) { url = next; etag = null; delay = interval; }
      try {
        if (!url) { return; }
        const response = await fetch(url, { cache: "no-store", headers: etag ? { "If-None-Match": etag } : {} });
        if (response.status === 304) {
          delay = Math.min(delay * 2, 5000);
        } else if (response.ok) {
          etag = response.headers.get("ETag");
          delay = interval;
          render(await response.json(), url);
        } else {
          throw new Error(await problem(response));
        }
        status.textContent = "";
      } catch (error) {
        status.textContent = error.message;
      } finally {
        busy = false;
        if (!document.hidden) { timer = setTimeout(tick, again ? 0 : delay); }
      }
    }
    document.addEventListener("visibilitychange", () => {
      if (document.hidden) { clearTimeout(timer); timer = null; } else { delay = interval; tick(); }
    });
    tick();
    return { refresh: () => { delay = interval; tick(); } };
  }

  function time(value) {
    return value ? new Date(value).toLocaleTimeString(undefined, { hour12: false, hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 3 }) : "";
  }

  /** A .NET TimeSpan as JSON ("00:00:01.2345678") in milliseconds. */
  function ms(span) {
    if (span === null || span === undefined) { return null; }
    const match = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(span);
    if (!match) { return null; }
    const [, days, hours, minutes, seconds] = match;
    return (((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
  }

  function duration(span) {
    const value = ms(span);
    if (value === null) { return ""; }
    return value < 1 ? `${(value * 1000).toFixed(0)} µs` : value < 1000 ? `${value.toFixed(value < 10 ? 2 : 0)} ms` : `${(value / 1000).toFixed(2)} s`;
  }

  /** A query string of the non-empty values. */
  function search(values) {
    return new URLSearchParams(Object.entries(values).filter(([, value]) => value)).toString();
  }

  function query(name) { return new URLSearchParams(location.search).get(name) ?? ""; }

  /** Mirrors the filters into the address, so a filtered view can be bookmarked and reloaded. */
  function setQuery(values) {
    const text = search(values);
    history.replaceState(null, "", text ? `${location.pathname}?${text}` : location.pathname);
  }

  /**
   * Fills a select with options, keeping the choice when it is still there. A choice from the address
   * (data-initial) stays wanted until it shows up: a resource may not have sent telemetry yet.
   */
  function options(select, values, first) {
    const wanted = select.value || select.dataset.initial || "";
    select.replaceChildren(...(first === undefined ? [] : [el("option", { value: "" }, first)]), ...values.map(v => el("option", { value: v }, v)));
    select.value = values.includes(wanted) ? wanted : "";
    if (select.value) { delete select.dataset.initial; }
  }

  /** A stable colour per resource name, for waterfalls and legends. */
  function colour(name) {
    let hash = 0;
    for (const c of name ?? "") { hash = (hash * 31 + c.codePointAt(0)) | 0; }
    return `hsl(${Math.abs(hash) % 360} 65% 50%)`;
  }

  /** A small square in the resource's colour. */
  function swatch(name) {
    const node = el("span", { className: "swatch" });
    node.style.background = colour(name);
    return node;
  }

  return { el, link, swatch, show, getJson, post, live, time, ms, duration, search, query, setQuery, options, colour, status };
})();
