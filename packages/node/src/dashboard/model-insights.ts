/**
 * The dashboard's model insights from a sample of recent traffic: the mean |attribution|
 * per raw field (the scorer's own explanation of each sampled feature row), and the
 * strongest feature interactions (SHAP interaction values of the tree member).
 *
 * Cold path, paid only while someone watches, and spread thin so the service keeps its
 * throughput: each `refresh` (at most every `refreshMs`) explains the `explainPerRefresh`
 * newest sampled rows (a few ms each), and every `interactionMs` one row gets its
 * interaction values (tens of ms on a 400-tree ensemble; the explainer itself is built
 * on the first such turn, ~0.2 s), yielding to the event loop between rows. The
 * summaries are means over the last `sampleSize` explained rows and the last
 * `interactionRows` interaction rows. The sample is every `sampleEvery`-th scored row.
 *
 * The insights are of one model: behind a registry, the version the default alias points
 * at (`scorer.model`). Rows another version decided (an experiment's challenger) are not
 * sampled, and when the alias moves the summaries start again for the new version.
 */
import type { LoadedBundle, ScoreResult } from '@riskscore/core';
import { createTreeInteractionExplainer, type TreeInteractionExplainer } from '@riskscore/explain';
import { versionOf } from './dashboard-collector';

/** Options of {@link ModelInsights}. */
export interface InsightsOptions {
  /** Keep one scored row in this many (default 20). */
  readonly sampleEvery?: number;
  /** Explained rows the attribution summary is the mean of (default 128). */
  readonly sampleSize?: number;
  /** Rows explained per refresh (default 8). */
  readonly explainPerRefresh?: number;
  /** Least time between two refreshes (default 5 s). */
  readonly refreshMs?: number;
  /** Interaction rows the interaction summary is the mean of (default 16). */
  readonly interactionRows?: number;
  /** Least time between two rows of interaction values (default 30 s). */
  readonly interactionMs?: number;
}

/** What the insights panel shows. */
export interface InsightsSummary {
  /** Rows behind the attribution summary. */
  readonly explainedRows: number;
  /** Mean |attribution| (logit) per raw field, largest first. */
  readonly attribution: ReadonlyArray<{ readonly field: string; readonly meanAbs: number }>;
  /** Rows behind the interaction summary. */
  readonly interactionRows: number;
  /** Mean |Φ_ij + Φ_ji| (the pair's whole interaction, tree member's margin) per feature pair, largest first. */
  readonly interactions: ReadonlyArray<{ readonly a: string; readonly b: string; readonly meanAbs: number }>;
  /** When the summaries were last refreshed (ms since the epoch), or null before the first. */
  readonly refreshedAt: number | null;
}

/** The scorer as the insights use it: explains a kept feature row. */
export interface InsightsScorer {
  /** The model the insights describe (a registry: the current version); rows another version decided are left out. */
  readonly model?: string;
  readonly bundle: LoadedBundle;
  readonly featureNames: readonly string[];
  /** `version`: the one that scored the row, where several may (a registry); a single scorer ignores it. */
  scoreFeatures?(row: Float32Array, event?: unknown, options?: { explain?: boolean | { neural?: 'kernel' | 'omit' } }, version?: string): Promise<ScoreResult>;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** See the module comment. */
export class ModelInsights {
  /** Sampled rows not explained yet (newest last, at most explainPerRefresh kept). */
  private pending: Array<{ row: Float32Array; event: unknown; version: string | undefined }> = [];
  private seen = 0;
  private lastRefresh = -Infinity;
  private lastInteraction = -Infinity;
  private running = false;
  private interactionExplainer: TreeInteractionExplainer | null | undefined;
  /** Per explained row, its fields' |attribution| (a ring of sampleSize). */
  private readonly explained: Array<Map<string, number>> = [];
  private explainedNext = 0;
  /** Per interaction row, |Φ_ij + Φ_ji| for i < j (a ring of interactionRows). */
  private readonly pairRows: Float64Array[] = [];
  private pairNext = 0;
  private summary: InsightsSummary = { explainedRows: 0, attribution: [], interactionRows: 0, interactions: [], refreshedAt: null };
  private readonly sampleEvery: number;
  private readonly sampleSize: number;
  private readonly perRefresh: number;
  private readonly refreshMs: number;
  private readonly interactionRowCount: number;
  private readonly interactionMs: number;
  /** The model the summaries are of (see the module comment). */
  private model: string | undefined;

  constructor(private readonly scorer: InsightsScorer, options: InsightsOptions = {}, private readonly clock: () => number = Date.now) {
    this.sampleEvery = options.sampleEvery ?? 20;
    this.sampleSize = options.sampleSize ?? 128;
    this.perRefresh = options.explainPerRefresh ?? 8;
    this.refreshMs = options.refreshMs ?? 5_000;
    this.interactionRowCount = options.interactionRows ?? 16;
    this.interactionMs = options.interactionMs ?? 30_000;
    this.model = scorer.model;
  }

  /** Per scored event: keeps one row in `sampleEvery` (a reference, no copy: results are not reused). */
  observe(event: unknown, r: ScoreResult): void {
    if (r.features === undefined) return;
    const version = versionOf(r);
    if (version !== null && version !== this.scorer.model) return;
    if (this.seen++ % this.sampleEvery !== 0) return;
    this.pending.push({ row: r.features, event, version: version ?? undefined });
    if (this.pending.length > this.perRefresh) this.pending.shift();
  }

  /** The last summaries. */
  current(): InsightsSummary {
    return this.summary;
  }

  /** Refreshes what is due (see the module comment); resolves when done. Never throws: a failed row is skipped. */
  async refresh(): Promise<void> {
    const now = this.clock();
    if (this.running || now - this.lastRefresh < this.refreshMs || typeof this.scorer.scoreFeatures !== 'function') return;
    this.running = true;
    this.lastRefresh = now;
    try {
      if (this.scorer.model !== this.model) this.restart();
      const rows = this.pending;
      this.pending = [];
      for (const { row, event, version } of rows) {
        await yieldToLoop();
        try {
          const r = await this.scorer.scoreFeatures(row, event, { explain: { neural: 'omit' } }, version);
          const m = new Map<string, number>();
          for (const f of r.explanation?.fields ?? []) m.set(f.name, Math.abs(f.attribution));
          if (this.explained.length < this.sampleSize) this.explained.push(m);
          else { this.explained[this.explainedNext] = m; this.explainedNext = (this.explainedNext + 1) % this.sampleSize; }
        } catch { /* a row the scorer refuses now (a new version's schema) is left out */ }
      }
      const last = rows[rows.length - 1];
      if (now - this.lastInteraction >= this.interactionMs && last !== undefined && (last.version === undefined || last.version === this.model)) {
        this.lastInteraction = now;
        try {
          await this.addInteractionRow(last.row);
        } catch { /* a row the explainer refuses is left out */ }
      }
      const sums = new Map<string, number>();
      for (const m of this.explained) for (const [k, v] of m) sums.set(k, (sums.get(k) ?? 0) + v);
      const n = Math.max(1, this.explained.length);
      const attribution = [...sums].map(([field, v]) => ({ field, meanAbs: v / n })).sort((a, b) => b.meanAbs - a.meanAbs);
      this.summary = { explainedRows: this.explained.length, attribution, interactionRows: this.pairRows.length, interactions: this.topPairs(), refreshedAt: now };
    } finally {
      this.running = false;
    }
  }

  /** The default alias moved: the summaries start again for the new current version. */
  private restart(): void {
    this.model = this.scorer.model;
    this.pending = this.pending.filter((p) => p.version === undefined || p.version === this.model);
    this.explained.length = 0;
    this.explainedNext = 0;
    this.pairRows.length = 0;
    this.pairNext = 0;
    this.interactionExplainer = undefined;
  }

  private async addInteractionRow(row: Float32Array): Promise<void> {
    if (this.interactionExplainer === undefined) {
      const trees = this.scorer.bundle.members.find((m) => m.trees)?.trees;
      try {
        this.interactionExplainer = trees ? createTreeInteractionExplainer(trees) : null;
      } catch {
        this.interactionExplainer = null; // trees without cover: no interaction values
      }
      await yieldToLoop();
    }
    const ix = this.interactionExplainer;
    if (ix === null || ix === undefined) return;
    const F = ix.nFeatures, F1 = F + 1;
    const out = ix.explainRow(row, new Float64Array(ix.outputLength));
    const pairs = new Float64Array((F * (F - 1)) / 2);
    let k = 0;
    for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) pairs[k++] = Math.abs(out[i * F1 + j] + out[j * F1 + i]);
    if (this.pairRows.length < this.interactionRowCount) this.pairRows.push(pairs);
    else { this.pairRows[this.pairNext] = pairs; this.pairNext = (this.pairNext + 1) % this.interactionRowCount; }
  }

  private topPairs(): InsightsSummary['interactions'] {
    if (this.pairRows.length === 0) return [];
    const names = this.scorer.featureNames;
    const F = names.length;
    const sum = new Float64Array(this.pairRows[0].length);
    for (const p of this.pairRows) for (let k = 0; k < p.length; k++) sum[k] += p[k];
    const out: Array<{ a: string; b: string; meanAbs: number }> = [];
    let k = 0;
    for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++, k++) if (sum[k] > 0) out.push({ a: names[i], b: names[j], meanAbs: sum[k] / this.pairRows.length });
    out.sort((x, y) => y.meanAbs - x.meanAbs);
    return out.slice(0, 10);
  }
}
