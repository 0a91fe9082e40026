import { ExplainError } from '../errors';
import { PLOT_COLORS, escapeXml, formatNumber, lowHighColor, niceTicks } from './svg-helpers';

/** Input of {@link summarySvg}: the attributions of a batch. */
export interface SummaryInput {
  /** `nRows · (nFeatures + 1)` attributions, row-major, bias last (as the explainers write them). */
  readonly attributions: Float64Array;
  readonly nRows: number;
  readonly names: ReadonlyArray<string>;
  /** `nRows · nFeatures` feature values, for the beeswarm's colours; NaN = missing (grey). */
  readonly featureValues?: ArrayLike<number>;
  /** 'beeswarm' (default when featureValues are given) or 'bar' (mean |attribution|). */
  readonly kind?: 'beeswarm' | 'bar';
  /** Features shown, most important first. Default 12. */
  readonly maxDisplay?: number;
  readonly title?: string;
  readonly width?: number;
}

/** A size option: undefined → the default; else a positive integer (`maxDisplay`) or a finite number ≥ 1 (`width`). */
function sizeOption(name: string, v: unknown, fallback: number, integer: boolean): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(integer ? Number.isInteger(v) : Number.isFinite(v)) || v < 1) {
    throw new ExplainError('invalid_argument', `summarySvg: ${name} must be ${integer ? 'a positive integer' : 'a finite number ≥ 1'}, got ${String(v)}`, [name], { details: { actual: v } });
  }
  return v;
}

/**
 * A summary plot of a batch's attributions as a standalone SVG string. Features are
 * ranked by mean |attribution| (the global importance `shap` uses). `'bar'` draws that
 * mean; `'beeswarm'` draws one dot per row at its attribution, stacked where dots would
 * overlap, coloured by the row's feature value (blue low → red high, scaled between the
 * feature's 5th and 95th percentiles so outliers do not wash the colours out; grey =
 * missing).
 *
 * @throws ExplainError `invalid_argument` for mismatched lengths, non-finite attributions, a
 *   `kind` other than 'beeswarm' / 'bar', or a `maxDisplay` / `width` that is not a positive number.
 * @example
 * const svg = summarySvg({ attributions: explainer.explainBatch(rows, 500), nRows: 500, names, featureValues: rows });
 */
export function summarySvg(input: SummaryInput): string {
  if (input === null || typeof input !== 'object') throw new ExplainError('invalid_argument', 'summarySvg: input must be an object ({ attributions, nRows, names, … })', ['input']);
  const { attributions: A, nRows, names } = input;
  const F = names?.length ?? 0;
  const stride = F + 1;
  if (!Number.isInteger(nRows) || nRows < 1) throw new ExplainError('invalid_argument', `summarySvg: nRows must be a positive integer, got ${nRows}`, ['nRows']);
  if (!(A instanceof Float64Array) || A.length !== nRows * stride) {
    throw new ExplainError('invalid_argument', `summarySvg: attributions must hold nRows·(names.length + 1) = ${nRows * stride} values (bias last)`, ['attributions']);
  }
  for (let i = 0; i < A.length; i++) if (!Number.isFinite(A[i])) throw new ExplainError('invalid_argument', `summarySvg: attribution ${i} is ${A[i]}`, ['attributions', i]);
  const fv = input.featureValues;
  if (fv && fv.length !== nRows * F) throw new ExplainError('invalid_argument', `summarySvg: featureValues must hold nRows·nFeatures = ${nRows * F} values`, ['featureValues']);
  if (input.kind !== undefined && input.kind !== 'beeswarm' && input.kind !== 'bar') {
    throw new ExplainError('invalid_argument', `summarySvg: kind must be 'beeswarm' or 'bar', got ${JSON.stringify(input.kind)}`, ['kind'], { details: { expected: ['beeswarm', 'bar'], actual: input.kind } });
  }
  const kind = input.kind ?? (fv ? 'beeswarm' : 'bar');
  const maxDisplay = sizeOption('maxDisplay', input.maxDisplay, 12, true);
  const width = sizeOption('width', input.width, 720, false);

  const meanAbs = new Float64Array(F);
  for (let r = 0; r < nRows; r++) for (let i = 0; i < F; i++) meanAbs[i] += Math.abs(A[r * stride + i]) / nRows;
  const order = Array.from({ length: F }, (_, i) => i).sort((a, b) => meanAbs[b] - meanAbs[a] || a - b).slice(0, maxDisplay);

  const labelW = 200, right = kind === 'beeswarm' && fv ? 80 : 30, top = input.title ? 50 : 20, rowH = kind === 'bar' ? 26 : 34, axisH = 50;
  const plotW = width - labelW - right;
  const height = top + order.length * rowH + axisH;
  let lo = 0, hi = 0;
  if (kind === 'bar') {
    for (const i of order) hi = Math.max(hi, meanAbs[i]);
    hi = hi * 1.1 || 1;
  } else {
    for (const i of order) for (let r = 0; r < nRows; r++) {
      lo = Math.min(lo, A[r * stride + i]);
      hi = Math.max(hi, A[r * stride + i]);
    }
    const pad = (hi - lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  }
  const X = (v: number) => labelW + ((v - lo) / (hi - lo)) * plotW;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (input.title) parts.push(`<text x="${width / 2}" y="26" text-anchor="middle" font-size="15" font-weight="bold" fill="${PLOT_COLORS.text}">${escapeXml(input.title)}</text>`);
  const yAxis = top + order.length * rowH;
  for (const t of niceTicks(lo, hi, 6)) {
    const x = X(t).toFixed(1);
    parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${yAxis}" stroke="${t === 0 ? '#999999' : PLOT_COLORS.grid}"/>`);
    parts.push(`<text x="${x}" y="${yAxis + 16}" text-anchor="middle" fill="${PLOT_COLORS.text}">${formatNumber(t)}</text>`);
  }
  parts.push(`<line x1="${labelW}" y1="${yAxis}" x2="${labelW + plotW}" y2="${yAxis}" stroke="${PLOT_COLORS.text}"/>`);
  const axisLabel = kind === 'bar' ? 'mean |attribution| (logit)' : 'attribution (impact on the logit)';
  parts.push(`<text x="${labelW + plotW / 2}" y="${yAxis + 38}" text-anchor="middle" fill="${PLOT_COLORS.text}">${axisLabel}</text>`);

  const dotR = 3;
  order.forEach((i, row) => {
    const yc = top + row * rowH + rowH / 2;
    parts.push(`<text x="${labelW - 8}" y="${yc + 4}" text-anchor="end" fill="${PLOT_COLORS.text}">${escapeXml(names[i])}</text>`);
    if (kind === 'bar') {
      const w = Math.max(1, X(meanAbs[i]) - X(0));
      parts.push(`<rect x="${X(0).toFixed(1)}" y="${yc - rowH / 2 + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${PLOT_COLORS.up}"/>`);
      parts.push(`<text x="${(X(0) + w + 4).toFixed(1)}" y="${yc + 4}" fill="${PLOT_COLORS.up}">${formatNumber(meanAbs[i])}</text>`);
      return;
    }
    // Colour scale of this feature: its 5th–95th percentile.
    let vLo = 0, vHi = 1;
    if (fv) {
      const vals: number[] = [];
      for (let r = 0; r < nRows; r++) if (fv[r * F + i] === fv[r * F + i]) vals.push(fv[r * F + i]);
      vals.sort((a, b) => a - b);
      if (vals.length > 0) {
        vLo = vals[Math.floor(0.05 * (vals.length - 1))];
        vHi = vals[Math.ceil(0.95 * (vals.length - 1))];
        if (!(vHi > vLo)) { vLo = vals[0]; vHi = vals[vals.length - 1]; }
      }
    }
    // Swarm: dots sorted by x; within a pixel bin of one dot diameter they alternate
    // above and below the line, so density shows as height (as `shap` does).
    const rs = Array.from({ length: nRows }, (_, r) => r).sort((a, b) => A[a * stride + i] - A[b * stride + i] || a - b);
    const binCount = new Map<number, number>();
    const maxOff = rowH / 2 - dotR;
    for (const r of rs) {
      const x = X(A[r * stride + i]);
      const bin = Math.round(x / (2 * dotR));
      const c = binCount.get(bin) ?? 0;
      binCount.set(bin, c + 1);
      const k = Math.ceil(c / 2) * (c % 2 === 0 ? 1 : -1);
      const dy = Math.max(-maxOff, Math.min(maxOff, k * dotR * 0.9));
      let color: string = PLOT_COLORS.missing;
      if (fv) {
        const v = fv[r * F + i];
        if (v === v) color = lowHighColor(vHi > vLo ? (v - vLo) / (vHi - vLo) : 0.5);
      } else color = PLOT_COLORS.up;
      parts.push(`<circle cx="${x.toFixed(1)}" cy="${(yc + dy).toFixed(1)}" r="${dotR}" fill="${color}" fill-opacity="0.85"/>`);
    }
  });
  if (kind === 'beeswarm' && fv) {
    // Colour legend.
    const lx = width - right + 30, ly0 = top + 10, ly1 = yAxis - 10;
    parts.push('<defs><linearGradient id="rs-lowhigh" x1="0" y1="1" x2="0" y2="0">');
    parts.push(`<stop offset="0" stop-color="${lowHighColor(0)}"/><stop offset="1" stop-color="${lowHighColor(1)}"/></linearGradient></defs>`);
    parts.push(`<rect x="${lx}" y="${ly0}" width="10" height="${Math.max(10, ly1 - ly0)}" fill="url(#rs-lowhigh)"/>`);
    parts.push(`<text x="${lx + 5}" y="${ly0 - 2}" text-anchor="middle" font-size="11" fill="${PLOT_COLORS.text}">high</text>`);
    parts.push(`<text x="${lx + 5}" y="${ly1 + 13}" text-anchor="middle" font-size="11" fill="${PLOT_COLORS.text}">low</text>`);
    parts.push(`<text transform="translate(${lx - 6},${(ly0 + ly1) / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="${PLOT_COLORS.text}">feature value</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}
