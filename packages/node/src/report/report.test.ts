// The HTML report on the Taiwan bundle and its 300 demo events, checked against values
// computed here independently: AUC by pair counting on the goldens' python probabilities,
// group sizes and missing shares counted from the events, decision counts, and the
// monitor plugged into a real scorer. The demo events blank cells at random (90 of 300),
// which the shipped bundle refuses (all 23 fields are required): the checks against the
// goldens report with partialApplications(bundle), the same models with every field
// optional; the command on the shipped bundle dir must count the refusals.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMonitor, createScorer, referenceProfileFromRows, categoricalFeaturesOf, type LoadedBundle } from '@riskscore/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { firstBlankField, loadTaiwanGoldens, partialApplications, TAIWAN_BUNDLE, TAIWAN_DIR } from '../../test/taiwan';
import { createNodeBackend } from '../backend/node-backend';
import { loadBundleFromDir } from '../bundle/bundle-dir';
import { readEventLines } from '../cli/demo';
import { createRiskReport, type RiskReportData } from './create-risk-report';
import { runReportCommand } from './report-command';

const EVENTS = join(TAIWAN_DIR, 'demo-events.jsonl');
const REF_ROWS = join(TAIWAN_DIR, 'artifacts', 'reference_sample.json');
/** The shipped bundle. */
let shipped: LoadedBundle;
/** Every input field optional, so all 300 demo events are scored. */
let bundle: LoadedBundle;
let html: string;
let data: RiskReportData;

beforeAll(async () => {
  shipped = await loadBundleFromDir(TAIWAN_BUNDLE);
  bundle = partialApplications(shipped);
  const events = await readEventLines(EVENTS);
  const referenceRows = JSON.parse(readFileSync(REF_ROWS, 'utf8')) as Array<Array<number | null>>;
  ({ html, data } = await createRiskReport({ bundle, events, referenceRows, groupField: 'SEX', generatedAt: '2026-11-24T00:00:00Z' }));
});

describe('createRiskReport on the Taiwan demo events', () => {
  it('is one self-contained page with every section', () => {
    for (const id of ['summary', 'drift', 'score-distribution', 'quality', 'fairness']) expect(html).toContain(`id="${id}"`);
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import/);
    expect(html.match(/<svg /g)!.length).toBe(5); // PSI bars, score bins, ROC, calibration, groups
    expect(html).toContain('generated 2026-11-24T00:00:00Z');
  });

  it('quality equals pair-counting AUC on the python ensemble probabilities of the same rows', () => {
    const g = loadTaiwanGoldens();
    let pairs = 0, np = 0, nn = 0;
    for (let i = 0; i < g.label.length; i++) {
      if (g.label[i] !== 1) continue;
      np++;
      for (let j = 0; j < g.label.length; j++) {
        if (g.label[j] !== 0) continue;
        pairs += g.probability[i] > g.probability[j] ? 1 : g.probability[i] === g.probability[j] ? 0.5 : 0;
      }
    }
    nn = g.label.length - np;
    const auc = pairs / (np * nn);
    expect(data.quality!.labelled).toBe(300);
    expect(data.quality!.positives).toBe(np);
    expect(data.quality!.rocAuc!).toBeCloseTo(auc, 4);
    expect(html).toContain(`ROC curve (AUC ${auc.toFixed(3)})`);
    let brier = 0;
    for (let i = 0; i < 300; i++) brier += (g.probability[i] - g.label[i]) ** 2;
    expect(data.quality!.brier!).toBeCloseTo(brier / 300, 5);
  });

  it('drift covers 23 features and the score over 300 events; missing shares and groups are counted from the events', () => {
    const events = readFileSync(EVENTS, 'utf8').trim().split('\n').map((l) => JSON.parse(l).event as Record<string, unknown>);
    expect(data.drift!.window.count).toBe(300);
    expect(new Set(data.drift!.drift.map((d) => d.feature)).size).toBe(24);
    const absent = events.filter((e) => e.LIMIT_BAL === undefined).length;
    expect(data.missing.LIMIT_BAL.current).toBeCloseTo(absent / 300, 12);
    expect(html).toContain(`0.0 % → ${((100 * absent) / 300).toFixed(1)} %`);
    const sexes = new Map<string, number>();
    for (const e of events) sexes.set(e.SEX === undefined ? 'missing' : String(e.SEX), (sexes.get(e.SEX === undefined ? 'missing' : String(e.SEX)) ?? 0) + 1);
    expect(data.fairness!.groups.map((x) => [x.value, x.n])).toEqual([['1', sexes.get('1')], ['2', sexes.get('2')], ['missing', sexes.get('missing')]]);
    expect(data.decisions.approve + data.decisions.review + data.decisions.decline).toBe(300);
    expect(html).toContain(`approve<b>${data.decisions.approve}</b>`);
    // The score's reference is the reference sample's own scores: its bins are deciles.
    expect(data.scoreDistribution!.reference.every((s) => Math.abs(s - 0.1) < 0.002)).toBe(true);
    expect(data.scoreDistribution!.current.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('labels groups from the manifest, and groups by its derived age bands counted from the events', async () => {
    expect(data.fairness!.groups.map((x) => x.label)).toEqual(['male', 'female', 'missing']);
    expect(html).toContain('<td>female (2)</td>');
    const lines = await readEventLines(EVENTS);
    const { data: byAge, html: page } = await createRiskReport({ bundle, events: lines, groupField: 'AGE_BAND' });
    const fa = byAge.fairness!;
    expect(fa).toMatchObject({ field: 'AGE_BAND', sourceField: 'AGE' });
    expect(fa.groups.map((g) => g.label)).toEqual(['<25', '25–34', '35–44', '45–54', '≥55', 'missing'].filter((l) => fa.groups.some((g) => g.label === l)));
    const edges = [-Infinity, 25, 35, 45, 55, Infinity];
    const scorer = await createScorer(bundle, { backend: createNodeBackend() });
    const scored = [];
    for (const { event, label } of lines) scored.push({ age: (event as Record<string, unknown>).AGE as number | undefined, label, score: (await scorer.score(event)).score });
    await scorer.close();
    for (const g of fa.groups) {
      const k = ['<25', '25–34', '35–44', '45–54', '≥55'].indexOf(g.label);
      const mine = scored.filter((r) => r.label !== null && (k < 0 ? r.age === undefined : r.age !== undefined && r.age >= edges[k] && r.age < edges[k + 1]));
      expect(g.n).toBe(mine.length);
      expect(1 - g.selectionRate).toBeCloseTo(mine.filter((r) => r.score < bundle.manifest.decision.approveBelow).length / mine.length, 12);
    }
    expect(page).toContain('Fairness by AGE_BAND (from AGE)');
    await expect(createRiskReport({ bundle, events: lines, groupField: 'AGE_BANDS' })).rejects.toMatchObject({ code: 'invalid_argument', path: ['groupField'] });
  });

  it('the monitor plugged into a real scorer counts every score and joins the labels', async () => {
    const rows = JSON.parse(readFileSync(REF_ROWS, 'utf8')) as Array<Array<number | null>>;
    const monitor = createMonitor(bundle, { reference: referenceProfileFromRows(rows, bundle.manifest.features.order, { categorical: categoricalFeaturesOf(bundle.manifest) }), window: { events: 100 } });
    const scorer = await createScorer(bundle, { backend: createNodeBackend(), observer: monitor });
    const lines = await readEventLines(EVENTS);
    for (const [i, { event, label }] of lines.entries()) {
      const r = await scorer.score(event);
      monitor.track(`e${i}`, r.score);
      if (label !== null) monitor.recordOutcome(`e${i}`, label as 0 | 1);
    }
    await scorer.close();
    expect(monitor.metrics()).toContain(`riskscore_scored_total{model="${bundle.id}"} 300`);
    expect(monitor.lastWindow!.index).toBe(3);
    expect(monitor.quality()[0].rocAuc!).toBeCloseTo(data.quality!.rocAuc!, 12);
  });
});

describe('the shipped bundle on the demo events', () => {
  it('refuses a partial event with invalid_event at the blank field', async () => {
    const lines = await readEventLines(EVENTS);
    const event = lines.map((l) => l.event as Record<string, unknown>).find((e) => firstBlankField(shipped, e) !== undefined)!;
    const scorer = await createScorer(shipped, { backend: createNodeBackend() });
    const o = await scorer.safeScore(event);
    await scorer.close();
    expect(o).toMatchObject({ ok: false, error: { code: 'invalid_event', path: ['event', firstBlankField(shipped, event)] } });
  });
});

describe('runReportCommand', () => {
  it('writes the page (0), refuses bad arguments (2) and a missing bundle (1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'riskscore-report-'));
    const out = join(dir, 'report.html');
    const sink = () => { let s = ''; return { stream: { write: (x: string) => { s += x; return true; } } as unknown as NodeJS.WritableStream, text: () => s }; };
    const o = sink(), e = sink();
    expect(await runReportCommand(['--bundle', TAIWAN_BUNDLE, '--events', EVENTS, '--out', out], { stdout: o.stream, stderr: e.stream })).toBe(0);
    // The shipped bundle refuses the events with a blank cell and scores the rest; it
    // carries its reference profile, so drift is computed with no flags.
    const lines = await readEventLines(EVENTS);
    const complete = lines.filter(({ event }) => firstBlankField(shipped, event as Record<string, unknown>) === undefined).length;
    expect(complete).toBeLessThan(300);
    expect(o.text()).toMatch(new RegExp(`${complete} of 300 events scored, ${complete} labelled, \\d+ drift alerts`));
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('Population stability index per feature');
    expect(page).toContain('id="quality"');
    expect(await runReportCommand(['--bundle', TAIWAN_BUNDLE], { stdout: o.stream, stderr: e.stream })).toBe(2);
    expect(await runReportCommand(['--bundel', 'x'], { stdout: o.stream, stderr: e.stream })).toBe(2);
    writeFileSync(join(dir, 'bad.json'), '{"version": 3}');
    expect(await runReportCommand(['--bundle', TAIWAN_BUNDLE, '--events', EVENTS, '--out', out, '--reference', join(dir, 'bad.json')], { stdout: o.stream, stderr: e.stream })).toBe(1);
    expect(e.text()).toContain('invalid_argument at reference.version');
    expect(await runReportCommand(['--bundle', join(dir, 'nope'), '--events', EVENTS, '--out', out], { stdout: o.stream, stderr: e.stream })).toBe(1);
  });
});
