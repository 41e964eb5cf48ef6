"use strict";
// A line chart in plain SVG: time on x, value on y, one polyline per line, axis labels at the extremes.
const chart = (() => {
  const width = 960, height = 320, pad = { left: 64, right: 16, top: 12, bottom: 28 };
  const svg = (tag, props, ...children) => jarvis.el(tag, { ...props, svg: true }, ...children);

  function label(value) {
    const abs = Math.abs(value);
    return abs >= 1e6 ? `${(value / 1e6).toFixed(1)}M` : abs >= 1e3 ? `${(value / 1e3).toFixed(1)}k` : abs >= 10 || value === 0 ? value.toFixed(0) : value.toPrecision(3);
  }

  /** lines: [{ name, colour, dash, points: [{ t: Date, v: number }] }] over the times [from, to] in ms; returns the SVG element. */
  function render(lines, unit, from, to) {
    const values = lines.flatMap(l => l.points).map(p => p.v);
    const t0 = from, t1 = Math.max(to, from + 1000);
    const v0 = Math.min(0, ...values), v1 = Math.max(...values, v0 + 1e-9);
    const x = t => pad.left + (t - t0) / (t1 - t0) * (width - pad.left - pad.right);
    const y = v => height - pad.bottom - (v - v0) / (v1 - v0) * (height - pad.top - pad.bottom);
    const root = svg("svg", { className: "chart", viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img" },
      svg("line", { className: "axis", x1: pad.left, y1: height - pad.bottom, x2: width - pad.right, y2: height - pad.bottom }),
      svg("line", { className: "axis", x1: pad.left, y1: pad.top, x2: pad.left, y2: height - pad.bottom }),
      svg("text", { x: pad.left - 6, y: pad.top + 10, "text-anchor": "end" }, `${label(v1)}${unit ? ` ${unit}` : ""}`),
      svg("text", { x: pad.left - 6, y: height - pad.bottom, "text-anchor": "end" }, label(v0)),
      svg("text", { x: pad.left, y: height - 8 }, new Date(t0).toLocaleTimeString()),
      svg("text", { x: width - pad.right, y: height - 8, "text-anchor": "end" }, new Date(t1).toLocaleTimeString()));
    for (const line of lines) {
      const points = line.points.map(p => `${x(p.t.getTime()).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ");
      root.append(svg("polyline", { points, fill: "none", stroke: line.colour, "stroke-width": 2, "stroke-dasharray": line.dash, "data-line": line.name },
        svg("title", null, line.name)));
      // Sparse lines get a dot per point, so a single point (one request in the window) is visible too.
      if (line.points.length < 40) {
        root.append(...line.points.map(p => svg("circle", { cx: x(p.t.getTime()).toFixed(1), cy: y(p.v).toFixed(1), r: 3, fill: line.colour, "data-line": line.name },
          svg("title", null, `${line.name}: ${label(p.v)} at ${p.t.toLocaleTimeString()}`))));
      }
    }
    return root;
  }

  return { render };
})();
