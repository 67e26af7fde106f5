// Small SVG charts: a retention curve, horizontal bars, estimates with intervals.
const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Retention: `points` are shares (0..1) still watching at each tenth. */
export function retentionChart(points, label) {
  const W = 300, H = 120, L = 28, B = 18, T = 8, R = 8;
  const x = (i) => L + (i / Math.max(1, points.length - 1)) * (W - L - R);
  const y = (v) => T + (1 - Math.max(0, Math.min(1, v))) * (H - T - B);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart retention', role: 'img', 'aria-label': label });
  for (const v of [0, 0.5, 1]) {
    svg.append(s('line', { class: 'axis', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
    svg.append(s('text', { x: 2, y: y(v) + 3 }, `${v * 100}%`));
  }
  svg.append(s('text', { x: L, y: H - 4 }, '0%'), s('text', { x: W - R - 24, y: H - 4 }, '100%'));
  if (points.length) {
    const d = points.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    svg.append(s('path', { class: 'area', d: `${d} L${x(points.length - 1)},${y(0)} L${x(0)},${y(0)} Z` }));
    svg.append(s('path', { class: 'line', d }));
  }
  return svg;
}

/** Horizontal bars: rows of {label, value, text}, as a list whose labels
 *  are full text above each bar (long team names wrap, never cut). */
export function barChart(rows, label) {
  const max = Math.max(1e-9, ...rows.map((r) => r.value));
  const list = document.createElement('ul');
  list.className = 'chart bars';
  list.setAttribute('aria-label', label);
  for (const r of rows) {
    const li = document.createElement('li');
    li.className = 'bar-row';
    const name = document.createElement('span');
    name.className = 'bar-label';
    name.textContent = r.label;
    const track = document.createElement('span');
    track.className = 'bar-track';
    const bar = document.createElement('span');
    bar.className = 'bar-fill';
    bar.style.width = `${Math.max(1, (r.value / max) * 100)}%`;
    const value = document.createElement('span');
    value.className = 'bar-value';
    value.textContent = r.text ?? String(r.value);
    track.append(bar);
    li.append(name, track, value);
    list.append(li);
  }
  return list;
}

/** Estimates with a 95% interval: rows of {label, value, low, high, text,
 * accent} (low/high optional) as bars from zero with whiskers, on one shared
 * axis that always shows zero; each value is written above its bar's end. */
export function intervalChart(rows, label) {
  const W = 320, row = 36, L = 96, R = 8, top = 2, axisH = 14;
  const vals = rows.flatMap((r) => [r.value, r.low ?? r.value, r.high ?? r.value, 0]);
  let lo = Math.min(...vals), hi = Math.max(...vals);
  const pad = Math.max(0.5, (hi - lo) * 0.08);
  lo -= pad; hi += pad;
  const x = (v) => L + ((v - lo) / (hi - lo)) * (W - L - R);
  const H = top + rows.length * row + axisH;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart interval', role: 'img', 'aria-label': label });
  svg.append(s('line', { class: 'axis zero', x1: x(0), x2: x(0), y1: top, y2: H - axisH }));
  svg.append(s('text', { x: x(0), y: H - 3, 'text-anchor': 'middle' }, '0'));
  rows.forEach((r, i) => {
    const yy = top + i * row;
    svg.append(s('text', { x: 0, y: yy + 27, style: 'font-size:12px' }, r.label.length > 12 ? r.label.slice(0, 11) + '…' : r.label));
    const a = x(Math.min(0, r.value)), b = x(Math.max(0, r.value));
    svg.append(s('rect', { class: `bar-rect${r.accent ? ' accent' : ''}`, x: a, y: yy + 16, rx: 3, height: 14, width: Math.max(2, b - a) }));
    if (r.low !== undefined && r.high !== undefined) {
      const cy = yy + 23;
      svg.append(s('line', { class: 'whisker', x1: x(r.low), x2: x(r.high), y1: cy, y2: cy }),
        s('line', { class: 'whisker', x1: x(r.low), x2: x(r.low), y1: cy - 6, y2: cy + 6 }),
        s('line', { class: 'whisker', x1: x(r.high), x2: x(r.high), y1: cy - 6, y2: cy + 6 }));
    }
    // the value above the bar's far end, kept inside the chart
    const end = x(r.value);
    const anchor = end > W - R - 30 ? 'end' : end < L + 30 ? 'start' : 'middle';
    svg.append(s('text', { x: end, y: yy + 12, 'text-anchor': anchor, style: 'font-size:11px' }, r.text ?? String(r.value)));
  });
  return svg;
}
