"use strict";
// ANSI SGR escape sequences (colours, bold, reset) as styled spans. The text goes in through textContent only; other
// escape sequences (cursor moves, titles) are dropped.
const ansi = (() => {
  const cube = [0, 95, 135, 175, 215, 255];

  /** One of the 256 xterm colours: 0–15 are the palette classes, 16–231 the colour cube, 232–255 greys. */
  function xterm(n) {
    if (n < 16) { return { index: n }; }
    if (n < 232) { const i = n - 16; return { css: `rgb(${cube[Math.floor(i / 36)]}, ${cube[Math.floor(i / 6) % 6]}, ${cube[i % 6]})` }; }
    const grey = 8 + (n - 232) * 10;
    return { css: `rgb(${grey}, ${grey}, ${grey})` };
  }

  /** An extended colour after 38 or 48: "5;n" or "2;r;g;b"; returns the colour and how many codes it used. */
  function extended(codes, i) {
    if (codes[i + 1] === 5 && codes[i + 2] >= 0 && codes[i + 2] <= 255) { return [xterm(codes[i + 2]), 2]; }
    if (codes[i + 1] === 2 && codes.slice(i + 2, i + 5).length === 3) {
      const [r, g, b] = codes.slice(i + 2, i + 5).map(c => Math.max(0, Math.min(255, c)));
      return [{ css: `rgb(${r}, ${g}, ${b})` }, 4];
    }
    return [null, 0];
  }

  function apply(state, codes) {
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c === 0) { Object.assign(state, fresh()); }
      else if (c === 1) { state.bold = true; }
      else if (c === 2) { state.dim = true; }
      else if (c === 3) { state.italic = true; }
      else if (c === 4) { state.underline = true; }
      else if (c === 22) { state.bold = false; state.dim = false; }
      else if (c === 23) { state.italic = false; }
      else if (c === 24) { state.underline = false; }
      else if (c >= 30 && c <= 37) { state.fg = { index: c - 30 }; }
      else if (c >= 90 && c <= 97) { state.fg = { index: c - 90 + 8 }; }
      else if (c === 39) { state.fg = null; }
      else if (c >= 40 && c <= 47) { state.bg = { index: c - 40 }; }
      else if (c >= 100 && c <= 107) { state.bg = { index: c - 100 + 8 }; }
      else if (c === 49) { state.bg = null; }
      else if (c === 38 || c === 48) {
        const [colour, used] = extended(codes, i);
        if (colour) { state[c === 38 ? "fg" : "bg"] = colour; }
        i += used;
      }
    }
  }

  function fresh() { return { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false }; }

  function span(state, text) {
    const node = document.createElement("span");
    const classes = [];
    if (state.bold) { classes.push("ansi-bold"); }
    if (state.dim) { classes.push("ansi-dim"); }
    if (state.italic) { classes.push("ansi-italic"); }
    if (state.underline) { classes.push("ansi-underline"); }
    if (state.fg?.index !== undefined) { classes.push(`ansi-fg-${state.fg.index}`); } else if (state.fg) { node.style.color = state.fg.css; }
    if (state.bg?.index !== undefined) { classes.push(`ansi-bg-${state.bg.index}`); } else if (state.bg) { node.style.backgroundColor = state.bg.css; }
    if (classes.length) { node.className = classes.join(" "); }
    node.textContent = text;
    return node;
  }

  /**
   * Renders one line into a fragment of spans. `state` carries the styling from line to line, as a terminal does;
   * pass the same object for every line of a stream (ansi.state() makes one).
   */
  function render(line, state) {
    const fragment = document.createDocumentFragment();
    const pattern = /\x1b\[([0-9;]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b/g;
    let last = 0;
    for (const match of line.matchAll(pattern)) {
      if (match.index > last) { fragment.append(span(state, line.slice(last, match.index))); }
      if (match[2] === "m") { apply(state, match[1] === "" ? [0] : match[1].split(";").map(n => n === "" ? 0 : Number(n))); }
      last = match.index + match[0].length;
    }
    if (last < line.length) { fragment.append(span(state, line.slice(last))); }
    return fragment;
  }

  return { render, state: fresh };
})();
