/**
 * The dashboard's four panels as HTML, rendered on the server from one snapshot with the
 * report's SVG helpers (no charting script in the page). Every number shown is wrapped
 * as `<span data-k="path.in.snapshot" data-v="raw JSON value">text</span>`, so a test (or
 * a user) can check that what the page shows is what `GET /dashboard/api/snapshot` says.
 */
import { escapeXml } from '@riskscore/explain';
import { fairnessRatesFigure, psiBarsFigure, scoreDistributionFigure } from '../report/panel-figures';
import { barChartSvg, timeSeriesSvg } from '../report/svg-charts';
import type { DashboardSnapshot } from './dashboard-snapshot';

const DECISION_COLORS = { approve: '#2e7d4f', review: '#b26a00', decline: '#c62828' } as const;

/** A number bound to its snapshot path (see the module comment). */
function v(path: string, value: number | string | null, text?: string): string {
  const shown = text ?? (value === null ? '—' : String(value));
  return `<span data-k="${escapeXml(path)}" data-v="${escapeXml(JSON.stringify(value))}">${escapeXml(shown)}</span>`;
}

const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)} %`);
const fix = (x: number | null, d = 2) => (x === null ? '—' : x.toFixed(d));
const money = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

function card(label: string, body: string): string {
  return `<div class="card"><div class="card-label">${escapeXml(label)}</div><div class="card-value">${body}</div></div>`;
}

function secondsAgo(t: readonly number[]): string[] {
  const last = t.length ? t[t.length - 1] : 0;
  return t.map((s) => (s === last ? 'now' : `−${last - s} s`));
}

/** Risk monitor: score distribution, decision mix over time, latest declines and reviews. */
export function riskPanel(s: DashboardSnapshot): string {
  const r = s.risk;
  const mix = timeSeriesSvg(r.overTime.t, (['approve', 'review', 'decline'] as const).map((d) => ({ name: d, values: r.overTime[d], color: DECISION_COLORS[d] })), {
    title: 'Decisions per second', width: 640, xLabels: secondsAgo(r.overTime.t),
  });
  const rows = r.latest.map((d, i) => `<tr><td>${d.explainable ? `<button type="button" class="explain" data-id="${escapeXml(String(d.id))}">${escapeXml(String(d.id))}</button>` : escapeXml(String(d.id ?? '—'))}</td>`
    + `<td>${escapeXml(new Date(d.at).toISOString().slice(11, 19))}</td><td class="${d.decision}">${v(`risk.latest.${i}.decision`, d.decision)}</td>`
    + `<td>${v(`risk.latest.${i}.score`, d.score, d.score.toFixed(3))}</td><td>${escapeXml(d.reasons.join(', ') || '—')}</td><td>${d.amount === null ? '—' : escapeXml(d.amount.toFixed(2))}</td></tr>`).join('');
  return `<h2 id="risk-title">Risk monitor</h2>
<div class="cards">${card('approve', v('risk.totals.approve', r.totals.approve))}${card('review', v('risk.totals.review', r.totals.review))}${card('decline', v('risk.totals.decline', r.totals.decline))}${card('scores in the distribution', v('risk.currentCount', r.currentCount))}</div>
<div class="charts"><figure>${scoreDistributionFigure(r.scoreBins, r.reference, r.current, `last ${r.currentCount} scores`, 640)}</figure><figure>${mix}</figure></div>
<h3>Latest declines and reviews</h3>
<table class="latest"><thead><tr><th scope="col">event (click: waterfall)</th><th scope="col">time (UTC)</th><th scope="col">decision</th><th scope="col">score</th><th scope="col">reasons</th><th scope="col">amount</th></tr></thead><tbody>${rows || '<tr><td colspan="6">none yet</td></tr>'}</tbody></table>`;
}

/** Model insights: attributions, drift over time, champion vs challenger, fairness, interactions. */
export function insightsPanel(s: DashboardSnapshot): string {
  const ins = s.insights;
  const attr = ins.attribution.slice(0, 12);
  const attrFig = attr.length
    ? barChartSvg(attr.map((a) => ({ label: a.field, value: a.meanAbs, color: '#2f6fbf' })), { title: `Mean |attribution| per field (logit, ${ins.explainedRows} recent rows)`, width: 640 })
    : '<p class="note">No explained rows yet (refreshed every few seconds while the dashboard is open).</p>';
  const w = ins.drift.windows;
  const palette = ['#2f6fbf', '#c62828', '#2e7d4f', '#6a3d9a', '#b26a00', '#00838f', '#ad1457', '#4e342e'];
  const driftFig = w.length
    ? timeSeriesSvg(w.map((x) => x.index), ins.drift.features.map((f, j) => ({ name: f, values: w.map((x) => x.psi[f] ?? 0), color: palette[j % palette.length] })), {
      title: 'PSI per feature by monitor window (red dots: alerts)', width: 640, xLabels: w.map((x) => `#${x.index}`),
      markers: ins.drift.features.flatMap((f, j) => w.flatMap((x, i) => (x.alerts.includes(f) ? [{ series: j, index: i, label: `${f} alert in window ${x.index}` }] : []))),
    })
    : '<p class="note">No monitor window closed yet.</p>';
  const lastDrift = w.length ? psiBarsFigure(Object.entries(w[w.length - 1].psi).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([label, value]) => ({ label, value })), 0.1, 0.25, `PSI in window #${w[w.length - 1].index}`, 640) : '';
  const q = ins.quality.map((m, i) => `<tr><td>${escapeXml(m.model)}</td><td>${v(`insights.quality.${i}.labelled`, m.labelled)}</td><td>${v(`insights.quality.${i}.positives`, m.positives)}</td><td>${v(`insights.quality.${i}.rocAuc`, m.rocAuc, fix(m.rocAuc, 3))}</td><td>${m.lower === null ? '—' : `${v(`insights.quality.${i}.lower`, m.lower, m.lower.toFixed(3))} – ${v(`insights.quality.${i}.upper`, m.upper, fix(m.upper, 3))}`}</td></tr>`).join('');
  const fa = ins.fairness;
  let fairness = '';
  if (fa) {
    const chart = fa.groups.length
      ? fairnessRatesFigure(fa.groups, `Rates by ${fa.field} (labelled events; flagged = not approved)`, 640)
      : '<p class="note">No labelled events with a group yet.</p>';
    const sum = fa.summary
      ? `<p>Four-fifths rule on approvals: ratio ${v('insights.fairness.summary.fourFifthsRatio', fa.summary.fourFifthsRatio, fix(fa.summary.fourFifthsRatio, 3))} (${fa.summary.passesFourFifthsRule ? 'passes' : '<b class="bad">fails</b>'}); equalized-odds ratio ${v('insights.fairness.summary.equalizedOddsRatio', fa.summary.equalizedOddsRatio, fix(fa.summary.equalizedOddsRatio, 3))}. Groups under ${fa.minGroupSize} rows are shown but kept out of the ratios.</p>`
      : `<p class="note">No ratios yet: fewer than two groups with ${fa.minGroupSize} labelled rows.</p>`;
    fairness = `<h3>Fairness by ${escapeXml(fa.field)}</h3>${sum}<figure>${chart}</figure>`;
  }
  const inter = ins.interactions.length
    ? barChartSvg(ins.interactions.map((p) => ({ label: `${p.a} × ${p.b}`, value: p.meanAbs, color: '#6a3d9a' })), { title: `Strongest feature interactions (mean |SHAP interaction|, tree member, ${ins.interactionRows} rows)`, width: 640 })
    : '<p class="note">No interaction values yet (the tree member, a few rows a minute while the dashboard is open).</p>';
  return `<h2 id="insights-title">Model insights</h2>
<div class="charts"><figure>${attrFig}</figure><figure>${inter}</figure></div>
<div class="charts"><figure>${driftFig}</figure><figure>${lastDrift}</figure></div>
<h3>Champion vs challenger (labelled outcomes; DeLong 95 % interval)</h3>
<table><thead><tr><th scope="col">model</th><th scope="col">labelled</th><th scope="col">positives</th><th scope="col">ROC AUC</th><th scope="col">95 % CI</th></tr></thead><tbody>${q || '<tr><td colspan="5">no monitor, or no labels yet</td></tr>'}</tbody></table>
${registrySection(s)}
${fairness}`;
}

/** The registry's versions and the experiment's verdict (absent when the service has no registry). */
function registrySection(s: DashboardSnapshot): string {
  const reg = s.insights.registry;
  if (!reg) return '';
  const rows = reg.versions.map((x, i) => `<tr><td>${v(`insights.registry.versions.${i}.ref`, x.ref)}</td><td>${escapeXml(x.aliases.join(', ') || '—')}</td>`
    + `<td>${v(`insights.registry.versions.${i}.decided`, x.decided)}</td><td>${v(`insights.registry.versions.${i}.declined`, x.declined)}</td>`
    + `<td>${v(`insights.registry.versions.${i}.errors`, x.errors)}</td><td>${v(`insights.registry.versions.${i}.p99Ms`, x.p99Ms, fix(x.p99Ms, 2))}</td></tr>`).join('');
  const e = reg.experiment;
  let exp = '<p class="note">No experiment started.</p>';
  if (e) {
    const side = (k: 'champion' | 'challenger') => {
      const q = e[k];
      const p = `insights.registry.experiment.${k}`;
      return `<tr><th scope="row">${k}</th><td>${escapeXml(q.versions.join(', '))}</td><td>${v(`${p}.labelled`, q.labelled)}</td><td>${v(`${p}.positives`, q.positives)}</td>`
        + `<td>${v(`${p}.auc`, q.auc, fix(q.auc, 3))}</td><td>${q.lower === null ? '—' : `${v(`${p}.lower`, q.lower, fix(q.lower, 3))} – ${v(`${p}.upper`, q.upper, fix(q.upper, 3))}`}</td><td>${v(`${p}.declineRate`, q.declineRate, pct(q.declineRate))}</td></tr>`;
    };
    const d = e.aucDifference;
    exp = `<p>Experiment ${v('insights.registry.experiment.name', e.name)} (${e.running ? 'running' : 'ended'}): verdict <b>${v('insights.registry.experiment.verdict', e.verdict)}</b>, ${escapeXml(e.reason)}${d ? `; AUC difference ${v('insights.registry.experiment.aucDifference.estimate', d.estimate, d.estimate.toFixed(4))} (95 % ${v('insights.registry.experiment.aucDifference.lower', d.lower, d.lower.toFixed(4))} – ${v('insights.registry.experiment.aucDifference.upper', d.upper, d.upper.toFixed(4))})` : ''}.</p>
<table><thead><tr><th scope="col">side</th><th scope="col">versions</th><th scope="col">labelled</th><th scope="col">positives</th><th scope="col">ROC AUC</th><th scope="col">DeLong 95 % CI</th><th scope="col">decline rate</th></tr></thead><tbody>${side('champion')}${side('challenger')}</tbody></table>`;
  }
  return `<h3>Registry: versions and experiment</h3>
<table><thead><tr><th scope="col">version</th><th scope="col">aliases</th><th scope="col">decided</th><th scope="col">declined</th><th scope="col">errors</th><th scope="col">p99 ms</th></tr></thead><tbody>${rows}</tbody></table>
${exp}`;
}

/** System health: throughput, latency per stage, errors, shedding, batching, lag, memory, entity store. */
export function healthPanel(s: DashboardSnapshot): string {
  const h = s.health;
  const rate = timeSeriesSvg(h.requestRate.t, [{ name: 'requests/s', values: h.requestRate.perSecond, color: '#2f6fbf' }], { title: 'Requests per second', width: 640, xLabels: secondsAgo(h.requestRate.t) });
  const lat = h.latency.map((l, i) => `<tr><td>${escapeXml(l.stage)}</td><td>${v(`health.latency.${i}.p50Ms`, l.p50Ms, fix(l.p50Ms, 3))}</td><td>${v(`health.latency.${i}.p99Ms`, l.p99Ms, fix(l.p99Ms, 3))}</td></tr>`).join('');
  const errs = Object.entries(h.errors).sort((a, b) => b[1] - a[1]).map(([code, n]) => `<tr><td>${escapeXml(code)}</td><td>${v(`health.errors.${code}`, n)}</td></tr>`).join('');
  const store = h.entityStore.map((e, i) => `<tr><td>${escapeXml(e.entity)}</td><td>${v(`health.entityStore.${i}.held`, e.held)}</td><td>${e.capacity ?? '—'}</td><td>${pct(e.fill)}</td><td>${v(`health.entityStore.${i}.evictions`, e.evictions)}</td><td>${e.MiB.toFixed(1)}</td></tr>`).join('');
  return `<h2 id="health-title">System health</h2>
<div class="cards">${card('requests/s', v('health.requestsPerSecond', h.requestsPerSecond, h.requestsPerSecond.toFixed(1)))}${card('requests', v('health.requestsTotal', h.requestsTotal))}${card('in flight', v('health.inFlight', h.inFlight))}${card('rate-limited', v('health.rateLimited', h.rateLimited))}${card('shed (overloaded)', v('health.shed', h.shed))}${card('micro-batches', v('health.batch.batches', h.batch.batches))}${card('mean batch rows', v('health.batch.meanRows', h.batch.meanRows, fix(h.batch.meanRows, 1)))}${card('event-loop lag p99 ms', v('health.eventLoopLagMs.p99', h.eventLoopLagMs.p99, fix(h.eventLoopLagMs.p99, 1)))}${card('RSS MiB', v('health.memory.rssMiB', h.memory.rssMiB, String(Math.round(h.memory.rssMiB))))}${card('heap MiB', v('health.memory.heapUsedMiB', h.memory.heapUsedMiB, String(Math.round(h.memory.heapUsedMiB))))}</div>
<div class="charts"><figure>${rate}</figure>
<div><h3>Latency (ms, from the service's histograms)</h3><table><thead><tr><th scope="col">stage</th><th scope="col">p50</th><th scope="col">p99</th></tr></thead><tbody>${lat}</tbody></table>
<h3>Errors by code</h3><table><thead><tr><th scope="col">code</th><th scope="col">responses</th></tr></thead><tbody>${errs || '<tr><td colspan="2">none</td></tr>'}</tbody></table></div></div>
<h3>Entity store</h3><table><thead><tr><th scope="col">entity</th><th scope="col">held</th><th scope="col">capacity</th><th scope="col">fill</th><th scope="col">evictions</th><th scope="col">MiB</th></tr></thead><tbody>${store || '<tr><td colspan="6">no entity state (a stateless bundle, or a store the dashboard cannot read)</td></tr>'}</tbody></table>`;
}

/** Business metrics: approvals, fraud caught, false positives, review load, money saved. */
export function businessPanel(s: DashboardSnapshot): string {
  const b = s.business;
  return `<h2 id="business-title">Business metrics</h2>
<div class="cards">${card('approval rate', v('business.approvalRate', b.approvalRate, pct(b.approvalRate)))}${card('fraud caught', `${v('business.fraudCaught.count', b.fraudCaught.count)} · ${v('business.fraudCaught.amount', b.fraudCaught.amount, money(b.fraudCaught.amount))}`)}${card('fraud missed', `${v('business.fraudMissed.count', b.fraudMissed.count)} · ${v('business.fraudMissed.amount', b.fraudMissed.amount, money(b.fraudMissed.amount))}`)}${card('false-positive rate', v('business.falsePositiveRate', b.falsePositiveRate, pct(b.falsePositiveRate)))}${card('reviews pending', v('business.reviewQueue.pending', b.reviewQueue.pending))}${card('reviews last minute', v('business.reviewQueue.lastMinute', b.reviewQueue.lastMinute))}${card('labelled events', v('business.labelled', b.labelled))}</div>
<h3>Cost against the rule baseline (${escapeXml(b.cost.baselineName)})</h3>
<table class="kv"><tbody><tr><th scope="row">cost with the model</th><td>${v('business.cost.model', b.cost.model, money(b.cost.model))}</td></tr><tr><th scope="row">cost with the baseline</th><td>${v('business.cost.baseline', b.cost.baseline, money(b.cost.baseline))}</td></tr><tr><th scope="row">saved by the model</th><td><b>${v('business.cost.saved', b.cost.saved, money(b.cost.saved))}</b></td></tr></tbody></table>
<p class="note">Over the labelled events: an approved fraud costs its amount, a declined genuine event and every review their fixed costs (the cost matrix is configurable).</p>`;
}
