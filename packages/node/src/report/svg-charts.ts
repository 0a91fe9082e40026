/**
 * Small inline SVG charts for the HTML report, as pure string functions: horizontal bars
 * with threshold lines (drift per feature), paired bars (reference vs current shares,
 * groups), and line charts on the unit square (ROC, calibration). No scripts, no fonts
 * beyond the page's, so the report is one self-contained file.
 */

import { RiskscoreError } from '@riskscore/core';
import { escapeXml } from '@riskscore/explain';

// The report escapes text with the same function as explain's plots (HTML and SVG alike).
export { escapeXml };

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function refuse(fn: string, path: ReadonlyArray<string | number>, rule: string, actual: unknown): never {
  throw new RiskscoreError('invalid_argument', `${fn}: ${path.join('.')} ${rule}, got ${typeof actual === 'number' ? String(actual) : kindOf(actual)}`, {
    path, details: { actual: typeof actual === 'number' || typeof actual === 'string' ? actual : kindOf(actual) },
  });
}

/** The chart options every chart takes: an object with a string title, optional positive finite sizes. */
function checkOptions(fn: string, o: unknown, sizes: readonly string[]): asserts o is { title: string } {
  if (typeof o !== 'object' || o === null) refuse(fn, ['options'], 'must be an object with at least a title', o);
  const r = o as Record<string, unknown>;
  if (typeof r.title !== 'string') refuse(fn, ['options', 'title'], 'must be a string', r.title);
  for (const k of sizes) {
    const v = r[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) refuse(fn, ['options', k], 'must be a positive finite number', v);
  }
}

function checkValues(fn: string, values: unknown, path: ReadonlyArray<string | number>): void {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) refuse(fn, path, 'must be an array of finite numbers', values);
  const a = values as ArrayLike<unknown>;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) refuse(fn, [...path, i], 'must be a finite number', v);
  }
}

/** The series every multi-series chart takes: an array of `{ name, values, color }` with finite values. */
function checkSeries(fn: string, series: unknown): void {
  if (!Array.isArray(series)) refuse(fn, ['series'], 'must be an array of { name, values, color }', series);
  (series as unknown[]).forEach((se, j) => {
    if (typeof se !== 'object' || se === null) refuse(fn, ['series', j], 'must be an object { name, values, color }', se);
    const r = se as Record<string, unknown>;
    if (typeof r.name !== 'string') refuse(fn, ['series', j, 'name'], 'must be a string', r.name);
    if (typeof r.color !== 'string') refuse(fn, ['series', j, 'color'], 'must be a CSS colour string', r.color);
    checkValues(fn, r.values, ['series', j, 'values']);
  });
}

const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '0');

/** One bar of {@link barChartSvg}. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Fill colour (default by threshold). */
  readonly color?: string;
}

/**
 * Horizontal bars, one per row, with vertical threshold lines; bars past the last
 * threshold are red, past the first amber, else green.
 *
 * @example
 * barChartSvg([{ label: 'AGE', value: 0.31 }], { thresholds: [{ value: 0.1, label: 'warning' }, { value: 0.25, label: 'drift' }], title: 'PSI' });
 */
export function barChartSvg(bars: readonly Bar[], o: { thresholds?: readonly { value: number; label: string }[]; title: string; width?: number; max?: number }): string {
  const fn = 'barChartSvg';
  if (!Array.isArray(bars as unknown)) refuse(fn, ['bars'], 'must be an array of { label, value }', bars);
  bars.forEach((b, i) => {
    if (typeof b !== 'object' || b === null) refuse(fn, ['bars', i], 'must be an object { label, value }', b);
    if (typeof b.label !== 'string') refuse(fn, ['bars', i, 'label'], 'must be a string', b.label);
    if (typeof b.value !== 'number' || !Number.isFinite(b.value)) refuse(fn, ['bars', i, 'value'], 'must be a finite number', b.value);
    if (b.color !== undefined && typeof b.color !== 'string') refuse(fn, ['bars', i, 'color'], 'must be a CSS colour string', b.color);
  });
  checkOptions(fn, o, ['width', 'max']);
  if (o.thresholds !== undefined) {
    if (!Array.isArray(o.thresholds as unknown)) refuse(fn, ['options', 'thresholds'], 'must be an array of { value, label }', o.thresholds);
    o.thresholds.forEach((t, i) => {
      if (typeof t !== 'object' || t === null) refuse(fn, ['options', 'thresholds', i], 'must be an object { value, label }', t);
      if (typeof t.value !== 'number' || !Number.isFinite(t.value)) refuse(fn, ['options', 'thresholds', i, 'value'], 'must be a finite number', t.value);
      if (typeof t.label !== 'string') refuse(fn, ['options', 'thresholds', i, 'label'], 'must be a string', t.label);
    });
  }
  const width = o.width ?? 560, valueW = 60, rowH = 20, top = 28, bottom = (o.thresholds?.length ?? 0) > 1 ? 39 : 26;
  // Room for the longest label (≈ 6.6 px a character at 12 px), between 130 px and 45 % of the width.
  const labelW = Math.round(Math.min(width * 0.45, Math.max(130, 10 + 6.6 * Math.max(0, ...bars.map((b) => b.label.length)))));
  const plotW = width - labelW - valueW;
  const th = o.thresholds ?? [];
  const max = o.max ?? Math.max(1e-9, ...bars.map((b) => b.value), ...th.map((t) => t.value * 1.2));
  const x = (v: number) => labelW + (Math.min(v, max) / max) * plotW;
  const h = top + bars.length * rowH + bottom;
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" viewBox="0 0 ${width} ${h}" role="img" aria-label="${escapeXml(o.title)}">`;
  s += `<text x="0" y="16" font-size="13" font-weight="600">${escapeXml(o.title)}</text>`;
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const color = b.color ?? (th.length && b.value >= th[th.length - 1].value ? '#d64545' : th.length && b.value >= th[0].value ? '#e0a030' : '#3a9a5b');
    s += `<text x="${labelW - 6}" y="${y + 14}" font-size="12" text-anchor="end">${escapeXml(b.label)}</text>`;
    s += `<rect x="${labelW}" y="${y + 3}" width="${f(Math.max(1, x(b.value) - labelW))}" height="${rowH - 6}" fill="${color}"/>`;
    s += `<text x="${f(x(b.value) + 4)}" y="${y + 14}" font-size="11" fill="#333">${escapeXml(b.value >= 100 ? b.value.toFixed(0) : b.value.toPrecision(2))}${b.value > max ? ' ▸' : ''}</text>`;
  });
  // Threshold labels on alternate rows, so two close thresholds (a large max squeezes
  // 0.1 and 0.25 together) never print over each other.
  th.forEach((t, i) => {
    const tx = x(t.value);
    s += `<line x1="${f(tx)}" y1="${top - 4}" x2="${f(tx)}" y2="${top + bars.length * rowH}" stroke="#555" stroke-dasharray="4 3"/>`;
    s += `<text x="${f(tx)}" y="${top + bars.length * rowH + 16 + 13 * (i % 2)}" font-size="11" text-anchor="middle">${escapeXml(`${t.label} ${t.value}`)}</text>`;
  });
  return `${s}</svg>`;
}

/**
 * Paired vertical bars per category (e.g. reference vs current share per score bin).
 *
 * @example
 * pairedBarsSvg(['≤0.1', '≤0.2'], [{ name: 'reference', values: [0.5, 0.5], color: '#999' }, { name: 'current', values: [0.3, 0.7], color: '#36c' }], { title: 'Score distribution' });
 */
export function pairedBarsSvg(
  categories: readonly string[],
  series: readonly { name: string; values: readonly number[]; color: string }[],
  o: { title: string; width?: number; height?: number; yLabel?: string; max?: number },
): string {
  const fn = 'pairedBarsSvg';
  if (!Array.isArray(categories as unknown)) refuse(fn, ['categories'], 'must be an array of strings', categories);
  categories.forEach((c, i) => { if (typeof c !== 'string') refuse(fn, ['categories', i], 'must be a string', c); });
  if (!Array.isArray(series as unknown) || series.length === 0) refuse(fn, ['series'], 'must be a non-empty array of { name, values, color }', series);
  checkSeries(fn, series);
  series.forEach((se, j) => {
    if (se.values.length > categories.length) refuse(fn, ['series', j, 'values'], `must have at most one value per category (${categories.length})`, se.values.length);
  });
  checkOptions(fn, o, ['width', 'height', 'max']);
  if (o.yLabel !== undefined && typeof o.yLabel !== 'string') refuse(fn, ['options', 'yLabel'], 'must be a string', o.yLabel);
  const width = o.width ?? 560, height = o.height ?? 260, left = 46, right = 10, top = 40, bottom = 56;
  const plotW = width - left - right, plotH = height - top - bottom;
  const max = o.max ?? Math.max(1e-9, ...series.flatMap((s) => s.values));
  const group = plotW / Math.max(1, categories.length);
  const barW = Math.max(2, (group * 0.8) / series.length);
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(o.title)}">`;
  s += `<text x="0" y="16" font-size="13" font-weight="600">${escapeXml(o.title)}</text>`;
  series.forEach((se, j) => {
    s += `<rect x="${left + j * 110}" y="24" width="10" height="10" fill="${se.color}"/><text x="${left + j * 110 + 14}" y="33" font-size="11">${escapeXml(se.name)}</text>`;
  });
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4, y = top + plotH - (plotH * k) / 4;
    s += `<line x1="${left}" y1="${f(y)}" x2="${width - right}" y2="${f(y)}" stroke="#e4e4e4"/><text x="${left - 4}" y="${f(y + 4)}" font-size="10" text-anchor="end">${v < 1 ? v.toFixed(2) : v.toFixed(0)}</text>`;
  }
  categories.forEach((c, i) => {
    series.forEach((se, j) => {
      const v = se.values[i] ?? 0, bh = (Math.min(v, max) / max) * plotH;
      s += `<rect x="${f(left + i * group + group * 0.1 + j * barW)}" y="${f(top + plotH - bh)}" width="${f(barW)}" height="${f(bh)}" fill="${se.color}"><title>${escapeXml(`${se.name} ${c}: ${v.toFixed(4)}`)}</title></rect>`;
    });
    const cx = left + i * group + group / 2;
    s += `<text x="${f(cx)}" y="${top + plotH + 12}" font-size="10" text-anchor="end" transform="rotate(-35 ${f(cx)} ${top + plotH + 12})">${escapeXml(c)}</text>`;
  });
  if (o.yLabel) s += `<text x="10" y="${f(top + plotH / 2)}" font-size="11" transform="rotate(-90 10 ${f(top + plotH / 2)})" text-anchor="middle">${escapeXml(o.yLabel)}</text>`;
  s += `<line x1="${left}" y1="${top + plotH}" x2="${width - right}" y2="${top + plotH}" stroke="#333"/>`;
  return `${s}</svg>`;
}

/**
 * Lines on the unit square with a dashed diagonal (ROC: chance; calibration: perfect).
 *
 * @example
 * unitLineChartSvg([{ name: 'ROC', x: [0, 0.2, 1], y: [0, 0.7, 1], color: '#36c' }], { title: 'ROC', xLabel: 'FPR', yLabel: 'TPR' });
 */
export function unitLineChartSvg(
  lines: readonly { name: string; x: readonly number[]; y: readonly number[]; color: string; markers?: boolean }[],
  o: { title: string; xLabel: string; yLabel: string; size?: number },
): string {
  const fn = 'unitLineChartSvg';
  if (!Array.isArray(lines as unknown)) refuse(fn, ['lines'], 'must be an array of { name, x, y, color }', lines);
  lines.forEach((l, j) => {
    if (typeof l !== 'object' || l === null) refuse(fn, ['lines', j], 'must be an object { name, x, y, color }', l);
    if (typeof l.name !== 'string') refuse(fn, ['lines', j, 'name'], 'must be a string', l.name);
    if (typeof l.color !== 'string') refuse(fn, ['lines', j, 'color'], 'must be a CSS colour string', l.color);
    checkValues(fn, l.x, ['lines', j, 'x']);
    checkValues(fn, l.y, ['lines', j, 'y']);
    if (l.y.length !== l.x.length) refuse(fn, ['lines', j, 'y'], `must have as many values as x (${l.x.length})`, l.y.length);
  });
  checkOptions(fn, o, ['size']);
  if (typeof o.xLabel !== 'string') refuse(fn, ['options', 'xLabel'], 'must be a string', o.xLabel);
  if (typeof o.yLabel !== 'string') refuse(fn, ['options', 'yLabel'], 'must be a string', o.yLabel);
  const size = o.size ?? 300, left = 44, top = 30, pad = 36;
  const plot = size - left - 10;
  const px = (v: number) => left + v * plot, py = (v: number) => top + plot - v * plot;
  const h = top + plot + pad;
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${h}" viewBox="0 0 ${size} ${h}" role="img" aria-label="${escapeXml(o.title)}">`;
  s += `<text x="0" y="16" font-size="13" font-weight="600">${escapeXml(o.title)}</text>`;
  s += `<rect x="${left}" y="${top}" width="${plot}" height="${plot}" fill="none" stroke="#333"/>`;
  for (let k = 0; k <= 4; k++) {
    const v = k / 4;
    s += `<text x="${f(px(v))}" y="${top + plot + 13}" font-size="10" text-anchor="middle">${v}</text><text x="${left - 4}" y="${f(py(v) + 4)}" font-size="10" text-anchor="end">${v}</text>`;
  }
  s += `<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#999" stroke-dasharray="4 3"/>`;
  s += `<text x="${f(px(0.5))}" y="${top + plot + 28}" font-size="11" text-anchor="middle">${escapeXml(o.xLabel)}</text>`;
  s += `<text x="11" y="${f(py(0.5))}" font-size="11" text-anchor="middle" transform="rotate(-90 11 ${f(py(0.5))})">${escapeXml(o.yLabel)}</text>`;
  for (const l of lines) {
    const pts = l.x.map((xv, i) => `${f(px(xv), 2)},${f(py(l.y[i]), 2)}`).join(' ');
    s += `<polyline points="${pts}" fill="none" stroke="${l.color}" stroke-width="2"/>`;
    if (l.markers) for (let i = 0; i < l.x.length; i++) s += `<circle cx="${f(px(l.x[i]), 2)}" cy="${f(py(l.y[i]), 2)}" r="3" fill="${l.color}"/>`;
  }
  return `${s}</svg>`;
}

/**
 * Lines over a shared x axis (time, or window number), with optional markers (alerts)
 * drawn as red dots on a line at an x. The y axis starts at 0.
 *
 * @example
 * timeSeriesSvg([0, 1, 2], [{ name: 'approve', values: [5, 7, 6], color: '#3a9a5b' }], { title: 'Decisions per second', xLabels: ['-2 s', '-1 s', 'now'] });
 */
export function timeSeriesSvg(
  x: readonly number[],
  series: readonly { name: string; values: readonly number[]; color: string; dash?: boolean }[],
  o: { title: string; width?: number; height?: number; xLabels?: readonly string[]; markers?: readonly { series: number; index: number; label: string }[]; yLabel?: string },
): string {
  const fn = 'timeSeriesSvg';
  checkValues(fn, x, ['x']);
  checkSeries(fn, series);
  series.forEach((se, j) => {
    if (se.values.length !== x.length) refuse(fn, ['series', j, 'values'], `must have one value per x (${x.length})`, se.values.length);
  });
  checkOptions(fn, o, ['width', 'height']);
  const width = o.width ?? 560, left = 46, right = 10, bottom = 30;
  // Legend columns wide enough for the longest name (≈ 6 px a character at 11 px).
  const colW = Math.min(width - left, Math.max(120, 24 + 6 * Math.max(0, ...series.map((se) => se.name.length))));
  const cols = Math.max(1, Math.floor((width - left) / colW));
  const top = 24 + 16 * Math.ceil(series.length / cols);
  const height = (o.height ?? 220) + top - 40;
  const plotW = width - left - right, plotH = height - top - bottom;
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values));
  const x0 = x.length ? x[0] : 0, x1 = x.length ? x[x.length - 1] : 1;
  const px = (v: number) => left + (x1 === x0 ? plotW / 2 : ((v - x0) / (x1 - x0)) * plotW);
  const py = (v: number) => top + plotH - (Math.min(v, max) / max) * plotH;
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(o.title)}">`;
  s += `<text x="0" y="16" font-size="13" font-weight="600">${escapeXml(o.title)}</text>`;
  series.forEach((se, j) => {
    const lx = left + (j % cols) * colW, ly = 22 + 16 * Math.floor(j / cols);
    s += `<rect x="${lx}" y="${ly}" width="10" height="10" fill="${se.color}"/><text x="${lx + 14}" y="${ly + 9}" font-size="11">${escapeXml(se.name)}</text>`;
  });
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4, y = py(v);
    s += `<line x1="${left}" y1="${f(y)}" x2="${width - right}" y2="${f(y)}" stroke="#e4e4e4"/><text x="${left - 4}" y="${f(y + 4)}" font-size="10" text-anchor="end">${v >= 10 ? v.toFixed(0) : v.toPrecision(2)}</text>`;
  }
  const labels = o.xLabels ?? [];
  const step = Math.max(1, Math.ceil(labels.length / 6));
  labels.forEach((l, i) => {
    if (i % step !== 0 && i !== labels.length - 1) return;
    s += `<text x="${f(px(x[i]))}" y="${height - 12}" font-size="10" text-anchor="middle">${escapeXml(l)}</text>`;
  });
  if (o.yLabel) s += `<text x="10" y="${f(top + plotH / 2)}" font-size="11" transform="rotate(-90 10 ${f(top + plotH / 2)})" text-anchor="middle">${escapeXml(o.yLabel)}</text>`;
  for (const se of series) {
    if (x.length === 0) continue;
    const pts = se.values.map((v, i) => `${f(px(x[i]), 2)},${f(py(v), 2)}`).join(' ');
    s += `<polyline points="${pts}" fill="none" stroke="${se.color}" stroke-width="2"${se.dash ? ' stroke-dasharray="5 3"' : ''}/>`;
  }
  for (const m of o.markers ?? []) {
    const se = series[m.series];
    if (se === undefined || m.index < 0 || m.index >= x.length) continue;
    s += `<circle cx="${f(px(x[m.index]), 2)}" cy="${f(py(se.values[m.index]), 2)}" r="4" fill="#d64545" stroke="#fff"><title>${escapeXml(m.label)}</title></circle>`;
  }
  s += `<line x1="${left}" y1="${top + plotH}" x2="${width - right}" y2="${top + plotH}" stroke="#333"/>`;
  return `${s}</svg>`;
}
