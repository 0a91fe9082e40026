/**
 * The report as one self-contained HTML page: inline CSS and inline SVG charts, no
 * scripts, no external resources, readable printed or in any browser.
 */
import { RiskscoreError, SCORE_FEATURE } from '@riskscore/core';
import type { RiskReportData } from './create-risk-report';
import { fairnessRatesFigure, psiBarsFigure, scoreDistributionFigure } from './panel-figures';
import { escapeXml, unitLineChartSvg } from './svg-charts';

const num = (v: number | null | undefined, d = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)} %`);

function missingCell(d: RiskReportData, feature: string): string {
  const m = d.missing[feature];
  return m ? `${pct(m.reference)} → ${pct(m.current)}` : '—';
}

function driftSection(d: RiskReportData): string {
  if (!d.drift) {
    return `<section id="drift"><h2>Drift</h2><p class="note">No reference profile: the bundle carries none and none was given (--reference or --reference-rows), so drift is not computed.</p></section>`;
  }
  const t = d.thresholds;
  const byFeature = new Map<string, { psi?: number; js?: number; chiP?: number | null; status: string }>();
  for (const x of d.drift.drift) {
    const e = byFeature.get(x.feature) ?? { status: 'stable' };
    if (x.statistic === 'psi') { e.psi = x.value; e.status = x.status; }
    if (x.statistic === 'jensen_shannon') e.js = x.value;
    if (x.statistic === 'chi_square') e.chiP = x.pValue;
    byFeature.set(x.feature, e);
  }
  const label = (f: string) => (f === SCORE_FEATURE ? 'score' : f);
  const bars = [...byFeature.entries()].map(([f, e]) => ({ label: label(f), value: e.psi ?? 0 }));
  const chart = psiBarsFigure(bars, t.psiWarning, t.psiDrift, 'Population stability index per feature (current batch vs reference)');
  const alerted = new Set(d.drift.alerts.map((a) => a.feature));
  const rows = [...byFeature.entries()]
    .map(([f, e]) => `<tr class="${alerted.has(f) ? 'alert' : ''}"><td>${escapeXml(label(f))}</td><td>${num(e.psi)}</td><td>${num(e.js)}</td><td>${e.chiP === undefined || e.chiP === null ? '—' : e.chiP === 0 ? '&lt; 1e-300' : e.chiP < 1e-4 ? e.chiP.toExponential(1) : e.chiP.toFixed(4)}</td><td>${missingCell(d, f)}</td><td>${alerted.has(f) ? '<b>alert</b>' : escapeXml(e.status)}</td></tr>`)
    .join('');
  const s = d.drift.summary;
  return `<section id="drift"><h2>Drift</h2>
<p>${d.drift.window.count} events against the reference profile. <b>${s.drifted}</b> of ${s.features} features drifted (PSI ≥ ${t.psiDrift}), ${s.warnings} at warning level (PSI ≥ ${t.psiWarning}); ${d.drift.alerts.length} alerts (PSI, or Jensen–Shannon distance ≥ ${t.jensenShannon}).${s.datasetDrift ? ' <b class="bad">Dataset drift</b>: at least half the features drifted.' : ''}</p>
<figure>${chart}</figure>
<table><thead><tr><th>feature</th><th>PSI</th><th>JS distance</th><th>χ² p-value</th><th>missing ref → batch</th><th>status</th></tr></thead><tbody>${rows}</tbody></table>
<p class="note">PSI = Σ (cᵢ − rᵢ)·ln(cᵢ/rᵢ) over the reference's quantile bins (shares floored at 10⁻⁴); JS distance in bits; χ² for categorical features only, against the reference shares. Missing values are a bin of their own: a feature missing in the batch but never in the reference drifts by that alone.</p>
</section>`;
}

function scoreSection(d: RiskReportData): string {
  if (!d.scoreDistribution) return `<section id="score-distribution"><h2>Score distribution</h2><p class="note">No reference scores: pass --reference-rows (they are scored) or a profile with a ${SCORE_FEATURE} entry.</p></section>`;
  const sd = d.scoreDistribution;
  const chart = scoreDistributionFigure(sd.bins, sd.reference, sd.current, 'current batch');
  return `<section id="score-distribution"><h2>Score distribution</h2><figure>${chart}</figure></section>`;
}

function qualitySection(d: RiskReportData): string {
  const q = d.quality;
  if (!q) return `<section id="quality"><h2>Model quality</h2><p class="note">No labelled events: quality needs outcomes (the "label" of each line).</p></section>`;
  const charts: string[] = [];
  if (q.roc) charts.push(unitLineChartSvg([{ name: 'ROC', x: q.roc.fpr, y: q.roc.tpr, color: '#2f6fbf' }], { title: `ROC curve (AUC ${num(q.rocAuc)})`, xLabel: 'false positive rate', yLabel: 'true positive rate' }));
  if (q.calibration) charts.push(unitLineChartSvg([{ name: 'calibration', x: q.calibration.meanPredicted, y: q.calibration.fractionPositive, color: '#c0392b', markers: true }], { title: 'Calibration (10 uniform bins)', xLabel: 'mean predicted probability', yLabel: 'observed default rate' }));
  return `<section id="quality"><h2>Model quality</h2>
<table class="kv"><tbody>
<tr><th>labelled events</th><td>${q.labelled}</td><th>positives</th><td>${q.positives} (${pct(q.labelled ? q.positives / q.labelled : null)})</td></tr>
<tr><th>ROC AUC</th><td>${num(q.rocAuc)}</td><th>average precision</th><td>${num(q.averagePrecision)}</td></tr>
<tr><th>KS</th><td>${num(q.ks)}</td><th>Brier score</th><td>${num(q.brier, 4)}</td></tr>
</tbody></table>
<div class="charts">${charts.map((c) => `<figure>${c}</figure>`).join('')}</div>
</section>`;
}

function fairnessSection(d: RiskReportData): string {
  const fa = d.fairness;
  if (!fa) return '';
  const chart = fairnessRatesFigure(
    fa.groups.map((g) => ({ label: g.label, approvalRate: 1 - g.selectionRate, truePositiveRate: g.truePositiveRate, falsePositiveRate: g.falsePositiveRate })),
    `Rates by ${fa.field} (approved = score < ${fa.threshold})`,
  );
  const labelOf = (group: number) => { const g = fa.groups.find((x) => x.group === group); return g ? (g.label === g.value ? g.value : `${g.label} (${g.value})`) : String(group); };
  const rows = fa.groups.map((g) => `<tr><td>${escapeXml(g.label === g.value ? g.value : `${g.label} (${g.value})`)}</td><td>${g.n}</td><td>${pct(1 - g.selectionRate)}</td><td>${pct(g.selectionRate)}</td><td>${pct(g.truePositiveRate)}</td><td>${pct(g.falsePositiveRate)}</td><td>${pct(g.precision)}</td><td>${pct(g.falseNegativeRate)}</td><td>${pct(g.accuracy)}</td><td>${pct(g.baseRate)}</td><td>${num(g.auc)}</td></tr>`).join('');
  const s = fa.summary;
  const summary = s
    ? `<p>Approval-rate ratio (lowest / highest group) <b>${num(s.fourFifthsRatio)}</b>: ${s.passesFourFifthsRule ? 'passes' : '<b class="bad">fails</b>'} the four-fifths rule on approvals. Demographic parity difference (selection) ${num(s.demographicParityDifference)}; equal-opportunity difference ${num(s.equalOpportunityDifference)}; equalized-odds difference ${num(s.equalizedOddsDifference)}, ratio ${num(s.equalizedOddsRatio)}.</p>${
      s.excluded.length ? `<p class="note">Kept out of the summary (fewer than ${s.minGroupSize} rows): ${s.excluded.map((e) => `${escapeXml(labelOf(e.group))} (${e.n})`).join(', ')}.</p>` : ''}${
      s.skipped.length ? `<p class="note">Undefined, so skipped for that metric: ${s.skipped.map((k) => `${escapeXml(labelOf(k.group))} (${k.metric === 'truePositiveRate' ? 'TPR: no positives' : 'FPR: no negatives'})`).join(', ')}.</p>` : ''}`
    : `<p class="note">No disparity summary: ${escapeXml(fa.note ?? '')}</p>`;
  return `<section id="fairness"><h2>Fairness by ${escapeXml(fa.field === fa.sourceField ? fa.field : `${fa.field} (from ${fa.sourceField})`)}</h2>${summary}<figure>${chart}</figure>
<table><thead><tr><th>${escapeXml(fa.field)}</th><th>n</th><th>approval rate</th><th>selection rate</th><th>TPR</th><th>FPR</th><th>precision</th><th>FNR</th><th>accuracy</th><th>base rate</th><th>AUC</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

/**
 * The HTML page of a report.
 *
 * @example
 * writeFileSync('report.html', reportHtml(data));
 */
export function reportHtml(d: RiskReportData): string {
  if (typeof d !== 'object' || d === null || typeof d.decisions !== 'object' || d.decisions === null || !Array.isArray(d.refusals)) {
    throw new RiskscoreError('invalid_argument', `reportHtml: data must be the RiskReportData that createRiskReport returns (with decisions and refusals), got ${d === null ? 'null' : typeof d}`, {
      path: ['data'],
    });
  }
  const dec = d.decisions;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(d.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2430;margin:24px auto;max-width:1100px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:1px solid #d8dde3;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #d8dde3;padding:3px 8px;text-align:right}th{background:#f3f5f7}td:first-child,th:first-child{text-align:left}
tr.alert td{background:#fdecea}.note{color:#5b6470;font-size:12.5px}.bad{color:#b42318}figure{margin:8px 0}.charts{display:flex;gap:24px;flex-wrap:wrap}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}.card{border:1px solid #d8dde3;border-radius:6px;padding:8px 14px;min-width:120px}.card b{display:block;font-size:20px}
svg text{fill:#1d2430;font-family:inherit}
</style></head><body>
<header id="summary"><h1>${escapeXml(d.title)}</h1>
<p class="note">model <b>${escapeXml(d.model)}</b> · generated ${escapeXml(d.generatedAt)}</p>
<div class="cards">
<div class="card">events<b>${d.events}</b></div><div class="card">scored<b>${d.scored}</b></div><div class="card">refused<b>${d.refused}</b></div><div class="card">labelled<b>${d.labelled}</b></div>
<div class="card">approve<b>${dec.approve ?? 0}</b></div><div class="card">review<b>${dec.review ?? 0}</b></div><div class="card">decline<b>${dec.decline ?? 0}</b></div>
<div class="card">drift alerts<b>${d.drift ? d.drift.alerts.length : '—'}</b></div>
</div>
${d.refusals.length ? `<p class="note">Refused events (first ${d.refusals.length}): ${d.refusals.map(escapeXml).join('; ')}</p>` : ''}
</header>
${driftSection(d)}
${scoreSection(d)}
${qualitySection(d)}
${fairnessSection(d)}
</body></html>
`;
}
