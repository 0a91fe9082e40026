/**
 * `riskscore demo`: score a stream of events one at a time with a bundle, as a
 * backend would, and print what an operator wants to see: the model, the decisions,
 * the score distribution, latency percentiles and, when the stream carries labels,
 * how well the scores rank them. Events the bundle refuses (a blank required field, a
 * value out of bounds) are counted by error code, the first one's message is shown, and
 * the rest of the stream is scored: the figures are over the scored events.
 */
import { readFile } from 'node:fs/promises';
import { createScorer, type RiskscoreErrorLike, type ScoreResult } from '@riskscore/core';
import { rocAuc } from '@riskscore/explain';
import { createNodeBackend } from '../backend/node-backend';
import { loadBundleFromDir } from '../bundle/bundle-dir';

export interface DemoOptions {
  bundleDir: string;
  eventsFile: string;
  /** Passes over the stream (more passes, steadier latency figures). */
  passes?: number;
  out?: (line: string) => void;
}

/** Reads `{ event, label? }` lines (or bare events) from a JSON-lines file. */
export async function readEventLines(file: string): Promise<Array<{ event: unknown; label: number | null }>> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      let o: unknown;
      try {
        o = JSON.parse(l);
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
      }
      const rec = o as { event?: unknown; label?: unknown };
      return rec && typeof rec === 'object' && 'event' in rec
        ? { event: rec.event, label: typeof rec.label === 'number' ? rec.label : null }
        : { event: o, label: null };
    });
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Runs the demo and returns the figures it printed. */
export async function runDemo(o: DemoOptions): Promise<Record<string, number | string>> {
  const out = o.out ?? ((l: string) => console.log(l));
  const t0 = performance.now();
  const bundle = await loadBundleFromDir(o.bundleDir);
  const scorer = await createScorer(bundle, { backend: createNodeBackend() });
  const loadMs = performance.now() - t0;
  const stream = await readEventLines(o.eventsFile);
  const passes = o.passes ?? 3;
  // Warm up: first calls pay for JIT and ORT's lazy allocations.
  for (let i = 0; i < Math.min(50, stream.length); i++) await scorer.safeScore(stream[i].event);
  // Latency of the scored events only: a refusal stops at validation, which would pull
  // the percentiles down without saying anything about scoring.
  const lat = new Float64Array(stream.length * passes);
  const results: ScoreResult[] = [];
  /** The label of each scored event (pass 0), aligned with `results`. */
  const scoredLabels: Array<number | null> = [];
  const refusedBy = new Map<string, number>();
  let firstRefusal: { index: number; error: RiskscoreErrorLike } | undefined;
  let k = 0;
  for (let p = 0; p < passes; p++) {
    for (const [index, { event, label }] of stream.entries()) {
      const s = performance.now();
      const outcome = await scorer.safeScore(event);
      const us = (performance.now() - s) * 1000;
      if (outcome.ok) lat[k++] = us;
      if (p !== 0) continue;
      if (outcome.ok) {
        results.push(outcome.result);
        scoredLabels.push(label);
      } else {
        refusedBy.set(outcome.error.code, (refusedBy.get(outcome.error.code) ?? 0) + 1);
        firstRefusal ??= { index, error: outcome.error };
      }
    }
  }
  const scoredLat = lat.subarray(0, k).sort();
  const refused = stream.length - results.length;
  const m = bundle.manifest;
  out(`riskscore demo — model ${scorer.model} (${m.description ?? ''})`);
  out(`  members: ${m.members.map((x) => `${x.name} [${x.kind}, weight ${x.weight.toFixed(3)}]`).join(', ')}; calibration ${m.calibration.method}`);
  out(`  bundle loaded and verified in ${loadMs.toFixed(0)} ms; backend onnxruntime-node`);
  out(`  ${stream.length} events, one at a time, ${passes} passes: ${results.length} scored, ${refused} refused`);
  if (firstRefusal) {
    out(`  refused by code: ${[...refusedBy].map(([code, c]) => `${code} ${c}`).join(', ')}`);
    const e = firstRefusal.error;
    out(`  first refusal, event ${firstRefusal.index + 1} of ${stream.length}: ${e.code} at ${e.path.join('.') || '(root)'}: ${e.message}`);
  }
  const figures: Record<string, number | string> = {
    model: scorer.model, events: stream.length, scored: results.length, refused,
    approve: 0, review: 0, decline: 0,
    latency_p50_us: quantile(scoredLat, 0.5), latency_p99_us: quantile(scoredLat, 0.99), bundle_load_ms: loadMs,
  };
  if (results.length === 0) {
    out('');
    out('  no event was scored: nothing to summarise (see the first refusal above)');
    await scorer.close();
    return figures;
  }
  const counts = { approve: 0, review: 0, decline: 0 };
  let byRule = 0;
  for (const r of results) { counts[r.decision]++; if (r.reasons.some((x) => x.source === 'rule')) byRule++; }
  Object.assign(figures, counts);
  out('');
  out('  decisions');
  for (const d of ['approve', 'review', 'decline'] as const) {
    out(`    ${d.padEnd(8)} ${String(counts[d]).padStart(5)}  ${((100 * counts[d]) / results.length).toFixed(1).padStart(5)} %`);
  }
  out(`    (${byRule} decided by a policy rule; bands: approve < ${m.decision.approveBelow}, decline ≥ ${m.decision.declineAtOrAbove})`);
  out('');
  out('  score distribution');
  const bins = new Array(10).fill(0);
  for (const r of results) bins[Math.min(9, Math.floor(r.score * 10))]++;
  const maxBin = Math.max(...bins);
  bins.forEach((c, i) => out(`    ${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)} ${String(c).padStart(5)} ${'█'.repeat(Math.round((40 * c) / maxBin))}`));
  const labels = scoredLabels;
  if (labels.every((l) => l !== null)) {
    const positives = (labels as number[]).filter((l) => l === 1).length;
    const caught = results.filter((r, i) => labels[i] === 1 && r.decision === 'decline').length;
    // AUC is undefined with one class only; say so rather than print a number.
    const auc = positives > 0 && positives < labels.length
      ? rocAuc(Float64Array.from(results, (r) => r.score), Uint8Array.from(labels as number[]))
      : NaN;
    out('');
    out(`  outcomes: ${positives} of ${labels.length} scored events are known defaults; ROC AUC of the scores ${Number.isNaN(auc) ? 'undefined (one class only)' : auc.toFixed(4)}; ${caught} defaults declined`);
    figures.roc_auc = auc;
  }
  out('');
  out(`  latency per scored event (features → members → ensemble → decision): p50 ${quantile(scoredLat, 0.5).toFixed(0)} µs, p99 ${quantile(scoredLat, 0.99).toFixed(0)} µs, max ${scoredLat[scoredLat.length - 1].toFixed(0)} µs`);
  const memberNames = Object.keys(results[0].timings.membersUs);
  out(`  last event's member times: ${memberNames.map((n) => `${n} ${results[results.length - 1].timings.membersUs[n].toFixed(0)} µs`).join(', ')}`);
  await scorer.close();
  return figures;
}
