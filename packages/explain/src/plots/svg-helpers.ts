import { ExplainError } from '../errors';
/**
 * Small helpers shared by the SVG plots: XML escaping, compact number formatting,
 * "nice" axis ticks and colours. Pure functions, no DOM.
 */

/**
 * Escapes text for SVG content and attribute values.
 *
 * @example
 * escapeXml('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 */
export function escapeXml(s: string): string {
  if (typeof s !== 'string') throw new ExplainError('invalid_argument', `escapeXml: s must be a string, got ${s === null ? 'null' : typeof s}`, ['s']);
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * A number for a label: 3 significant digits, no exponent for usual magnitudes, an
 * explicit sign when `signed`.
 *
 * @example
 * formatNumber(0.123456, true); // '+0.123'
 */
export function formatNumber(v: number, signed = false): string {
  if (v !== v) return 'missing';
  const a = Math.abs(v);
  let s: string;
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) s = v.toExponential(2);
  else s = String(Number(v.toPrecision(3)));
  return signed && v > 0 ? `+${s}` : s;
}

/**
 * Round tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^k giving about `n`
 * ticks (Heckbert, "Nice numbers for graph labels", Graphics Gems 1990).
 *
 * @example
 * niceTicks(0, 0.93, 5); // [0, 0.2, 0.4, 0.6, 0.8]
 */
export function niceTicks(lo: number, hi: number, n: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, n);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  return out;
}

/** Colours of the plots: red pushes toward the adverse outcome, blue away (as `shap`). */
export const PLOT_COLORS = { up: '#ff0051', down: '#008bfb', text: '#333333', grid: '#dddddd', missing: '#999999' } as const;

/**
 * Blue → purple → red for t in [0, 1] (low → high feature value), as `shap`'s beeswarm.
 *
 * @example
 * lowHighColor(0); // 'rgb(0,139,251)'
 */
export function lowHighColor(t: number): string {
  const u = Math.min(1, Math.max(0, t));
  const lerp = (a: number, b: number) => Math.round(a + (b - a) * u);
  return `rgb(${lerp(0, 255)},${lerp(139, 0)},${lerp(251, 81)})`;
}
