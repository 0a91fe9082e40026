import { ExplainError } from '../errors';
import { PLOT_COLORS, escapeXml, formatNumber, niceTicks } from './svg-helpers';

/** Input of {@link waterfallSvg}: one explained score. */
export interface WaterfallInput {
  /** Attribution per feature (or raw field), without the bias. */
  readonly values: ArrayLike<number>;
  /** The base value (bias): where the walk starts. */
  readonly base: number;
  readonly names: ReadonlyArray<string>;
  /** The row's values, shown as `name = value`; NaN shows as "missing". */
  readonly featureValues?: ArrayLike<number | string>;
  /** Features shown individually; the rest are summed into one bar. Default 10. */
  readonly maxDisplay?: number;
  readonly title?: string;
  /** Axis label. Default 'logit (log-odds of the adverse outcome)'. */
  readonly axisLabel?: string;
  /** Width in px. Default 720. */
  readonly width?: number;
}

/** A size option: undefined → the default; else a positive integer (`maxDisplay`) or a positive finite number (`width`). */
function displayOption(fn: string, name: string, v: unknown, fallback: number, integer: boolean): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(integer ? Number.isInteger(v) : Number.isFinite(v)) || v < 1) {
    throw new ExplainError('invalid_argument', `${fn}: ${name} must be ${integer ? 'a positive integer' : 'a finite number ≥ 1'}, got ${String(v)}`, [name], { details: { actual: v } });
  }
  return v;
}

/**
 * A waterfall plot of one score as a standalone SVG string: starting from the base
 * value at the bottom, each feature's attribution moves the running total right (red,
 * toward the adverse outcome) or left (blue), ending at the model's output at the top;
 * features ordered by |attribution|, the smallest folded into "n other features".
 * Because the attributions are additive, the last bar ends exactly at f(x).
 *
 * @throws ExplainError `invalid_argument` for mismatched lengths, non-finite values, or a
 *   `maxDisplay` / `width` that is not a positive number.
 * @example
 * const svg = waterfallSvg({ values: phi.subarray(0, 23), base: phi[23], names });
 * // '<svg xmlns="http://www.w3.org/2000/svg" width="720" ...'
 */
export function waterfallSvg(input: WaterfallInput): string {
  if (input === null || typeof input !== 'object') throw new ExplainError('invalid_argument', 'waterfallSvg: input must be an object ({ values, base, names, … })', ['input']);
  const { values, base, names } = input;
  const n = values?.length ?? 0;
  if (!names || names.length !== n) throw new ExplainError('invalid_argument', `waterfallSvg: ${n} values need ${n} names`, ['names']);
  if (!Number.isFinite(base)) throw new ExplainError('invalid_argument', `waterfallSvg: base must be finite, got ${base}`, ['base']);
  for (let i = 0; i < n; i++) if (!Number.isFinite(values[i])) throw new ExplainError('invalid_argument', `waterfallSvg: value ${i} is ${values[i]}`, ['values', i]);
  if (input.featureValues && input.featureValues.length !== n) throw new ExplainError('invalid_argument', `waterfallSvg: featureValues must have ${n} entries`, ['featureValues']);
  const maxDisplay = displayOption('waterfallSvg', 'maxDisplay', input.maxDisplay, 10, true);
  const width = displayOption('waterfallSvg', 'width', input.width, 720, false);

  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b);
  const shown = n > maxDisplay ? order.slice(0, maxDisplay - 1) : order;
  const rest = n > maxDisplay ? order.slice(maxDisplay - 1) : [];
  type Bar = { label: string; value: number };
  const bars: Bar[] = shown.map((i) => {
    const fv = input.featureValues?.[i];
    const shownValue = fv === undefined ? '' : ` = ${typeof fv === 'number' ? formatNumber(fv) : String(fv)}`;
    return { label: `${names[i]}${shownValue}`, value: values[i] };
  });
  if (rest.length > 0) bars.push({ label: `${rest.length} other features`, value: rest.reduce((s, i) => s + values[i], 0) });
  // Bars are listed top (largest) to bottom; the walk runs bottom → top.
  const startOf: number[] = new Array(bars.length);
  let cum = base;
  for (let r = bars.length - 1; r >= 0; r--) {
    startOf[r] = cum;
    cum += bars[r].value;
  }
  const fx = cum;
  let lo = Math.min(base, fx), hi = Math.max(base, fx);
  for (let r = 0; r < bars.length; r++) {
    lo = Math.min(lo, startOf[r], startOf[r] + bars[r].value);
    hi = Math.max(hi, startOf[r], startOf[r] + bars[r].value);
  }
  const pad = (hi - lo) * 0.08 || 1;
  lo -= pad;
  hi += pad;

  const labelW = 230, right = 30, top = input.title ? 64 : 40, rowH = 28, axisH = 58;
  const plotW = width - labelW - right;
  const height = top + bars.length * rowH + axisH;
  const X = (v: number) => labelW + ((v - lo) / (hi - lo)) * plotW;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (input.title) parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold" fill="${PLOT_COLORS.text}">${escapeXml(input.title)}</text>`);
  const yAxis = top + bars.length * rowH;
  for (const t of niceTicks(lo, hi, 6)) {
    const x = X(t).toFixed(1);
    parts.push(`<line x1="${x}" y1="${top - 8}" x2="${x}" y2="${yAxis}" stroke="${PLOT_COLORS.grid}"/>`);
    parts.push(`<text x="${x}" y="${yAxis + 16}" text-anchor="middle" fill="${PLOT_COLORS.text}">${formatNumber(t)}</text>`);
  }
  parts.push(`<line x1="${labelW}" y1="${yAxis}" x2="${width - right}" y2="${yAxis}" stroke="${PLOT_COLORS.text}"/>`);
  parts.push(`<text x="${labelW + plotW / 2}" y="${yAxis + 40}" text-anchor="middle" fill="${PLOT_COLORS.text}">${escapeXml(input.axisLabel ?? 'logit (log-odds of the adverse outcome)')}</text>`);
  // Reference lines: base value and f(x).
  const xb = X(base).toFixed(1), xf = X(fx).toFixed(1);
  parts.push(`<line x1="${xb}" y1="${top - 8}" x2="${xb}" y2="${yAxis}" stroke="#888888" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${xb}" y="${yAxis + 28}" text-anchor="middle" font-size="11" fill="#666666">E[f(x)] = ${formatNumber(base)}</text>`);
  parts.push(`<line x1="${xf}" y1="${top - 14}" x2="${xf}" y2="${top + rowH}" stroke="#888888" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${xf}" y="${top - 18}" text-anchor="middle" font-weight="bold" fill="${PLOT_COLORS.text}">f(x) = ${formatNumber(fx)}</text>`);
  for (let r = 0; r < bars.length; r++) {
    const { label, value } = bars[r];
    const y = top + r * rowH;
    const x0 = X(startOf[r]), x1 = X(startOf[r] + value);
    const color = value >= 0 ? PLOT_COLORS.up : PLOT_COLORS.down;
    const left = Math.min(x0, x1), w = Math.max(1, Math.abs(x1 - x0));
    const h = rowH - 8;
    // An arrow-shaped bar pointing in the direction of the push.
    const tip = Math.min(8, w);
    const pts = value >= 0
      ? [[left, y + 4], [left + w - tip, y + 4], [left + w, y + 4 + h / 2], [left + w - tip, y + 4 + h], [left, y + 4 + h]]
      : [[left + w, y + 4], [left + tip, y + 4], [left, y + 4 + h / 2], [left + tip, y + 4 + h], [left + w, y + 4 + h]];
    parts.push(`<polygon points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}" fill="${color}"/>`);
    parts.push(`<text x="${labelW - 8}" y="${y + rowH / 2 + 4}" text-anchor="end" fill="${PLOT_COLORS.text}">${escapeXml(label)}</text>`);
    const inside = w > 52;
    const tx = inside ? left + w / 2 : value >= 0 ? left + w + 4 : left - 4;
    const anchor = inside ? 'middle' : value >= 0 ? 'start' : 'end';
    parts.push(`<text x="${tx.toFixed(1)}" y="${y + rowH / 2 + 4}" text-anchor="${anchor}" fill="${inside ? '#ffffff' : color}" font-weight="bold">${formatNumber(value, true)}</text>`);
    if (r > 0) parts.push(`<line x1="${x1.toFixed(1)}" y1="${y + 4}" x2="${x1.toFixed(1)}" y2="${y - 4}" stroke="#bbbbbb"/>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}
