/**
 * What the dashboard keeps of the traffic, fed by the service after each committed score
 * and each posted outcome: decisions per second, the latest scores, the latest declines
 * and reviews with their reasons, and per event id what a late label needs to count
 * business results (the decision, the amount, the rule baseline's decision, the group).
 *
 * This is the per-event path: `observe` writes into fixed rings and one bounded map, and
 * computes nothing else. Summaries are made once a second by the snapshot.
 */
import type { Decision, EventGrouping, ScoreResult } from '@riskscore/core';
import { RecentEvents } from '../service/recent-events';

/** One of the latest declines and reviews. */
export interface RecentDecision {
  readonly id: string | number | null;
  /** When it was scored (ms since the epoch). */
  readonly at: number;
  readonly score: number;
  readonly decision: Decision;
  readonly reasons: readonly string[];
  readonly amount: number | null;
  /** The event as scored (its fields, for the decision rules when explained again). */
  readonly event: unknown;
  /** Its feature row as scored, when the scorer gave it: what the waterfall explains. */
  readonly features: Float32Array | null;
  /** The version that scored it (a registry names it; a single scorer does not). */
  readonly version: string | null;
}

/** What a late label joins to. */
interface Scored {
  decision: Decision;
  baseline: Decision;
  amount: number;
  score: number;
  group: string | null;
  labelled: boolean;
}

/** A labelled event, as the business and fairness summaries read it. */
export interface LabelledDecision {
  readonly decision: Decision;
  readonly baseline: Decision;
  readonly amount: number;
  readonly score: number;
  readonly group: string | null;
  readonly label: 0 | 1;
}

/** Options of {@link DashboardCollector}. */
export interface CollectorOptions {
  /** Seconds of decision counts kept (default 120). */
  readonly historySeconds?: number;
  /** Latest declines and reviews kept (default 20). */
  readonly recentDecisions?: number;
  /** Latest scores kept for the score distribution (default 2000). */
  readonly recentScores?: number;
  /** Event ids remembered for late labels (default 100,000). */
  readonly trackedIds?: number;
  /** Labelled events kept for the business and fairness summaries (default 20,000). */
  readonly labelledEvents?: number;
  /** The event's amount of money (business metrics), e.g. `TX_AMOUNT`. */
  readonly amountField?: string;
  /**
   * The fairness groups: an input field (labelled by its categories) or a grouping of the
   * manifest such as age bands (see `eventGrouping` in core).
   */
  readonly groupField?: string;
  /** The rule baseline the cost matrix compares the model with (default: approve everything). */
  readonly baseline?: (event: Readonly<Record<string, unknown>>) => Decision;
  readonly clock?: () => number;
}

/** The deciding version of a registry's result (`RoutedScoreResult.version`), else null. */
export const versionOf = (r: ScoreResult): string | null => {
  const v = (r as { version?: unknown }).version;
  return typeof v === 'string' ? v : null;
};

const DECISION_INDEX: Record<Decision, number> = { approve: 0, review: 1, decline: 2 };

/** A ring of fixed size over objects, oldest first when read. */
class Ring<T> {
  private readonly items: T[] = [];
  private head = 0;
  constructor(readonly capacity: number) {}
  push(v: T): void {
    if (this.items.length < this.capacity) this.items.push(v);
    else {
      this.items[this.head] = v;
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    }
  }
  toArray(): T[] {
    return this.items.length < this.capacity ? this.items.slice() : [...this.items.slice(this.head), ...this.items.slice(0, this.head)];
  }
  get size(): number {
    return this.items.length;
  }
}

/** The dashboard's per-event records; see the module comment. */
export class DashboardCollector {
  readonly historySeconds: number;
  /** Decisions per second: `[second][approve, review, decline]`, second = epoch second mod history. */
  private readonly perSecond: Float64Array;
  private readonly secondOf: Float64Array;
  private readonly scores: Float64Array;
  private scoreCount = 0;
  private readonly recent: Ring<RecentDecision>;
  private readonly byId: RecentEvents<Scored>;
  readonly labelled: Ring<LabelledDecision>;
  readonly totals = { approve: 0, review: 0, decline: 0 };
  /** Reviews still without a label among the tracked ids. */
  pendingReviews = 0;
  private readonly amountField?: string;
  private readonly grouping?: EventGrouping;
  private readonly baseline: (event: Readonly<Record<string, unknown>>) => Decision;
  readonly clock: () => number;

  /** `grouping` puts each event in its fairness group (resolved from `options.groupField` against the bundle). */
  constructor(options: CollectorOptions = {}, grouping?: EventGrouping) {
    this.historySeconds = options.historySeconds ?? 120;
    this.perSecond = new Float64Array(this.historySeconds * 3);
    this.secondOf = new Float64Array(this.historySeconds).fill(-1);
    this.scores = new Float64Array(options.recentScores ?? 2000);
    this.recent = new Ring(options.recentDecisions ?? 20);
    this.byId = new RecentEvents<Scored>(options.trackedIds ?? 100_000, (gone) => this.unpend(gone));
    this.labelled = new Ring(options.labelledEvents ?? 20_000);
    this.amountField = options.amountField;
    this.grouping = grouping;
    this.baseline = options.baseline ?? (() => 'approve');
    this.clock = options.clock ?? Date.now;
  }

  /** Records one committed score of `event` (its id as the service read it). */
  observe(event: unknown, id: string | number | undefined, r: ScoreResult): void {
    const now = this.clock();
    const sec = Math.floor(now / 1000);
    const slot = sec % this.historySeconds;
    if (this.secondOf[slot] !== sec) {
      this.secondOf[slot] = sec;
      this.perSecond.fill(0, slot * 3, slot * 3 + 3);
    }
    this.perSecond[slot * 3 + DECISION_INDEX[r.decision]]++;
    this.totals[r.decision]++;
    this.scores[this.scoreCount % this.scores.length] = r.score;
    this.scoreCount++;
    const ev = (event ?? {}) as Record<string, unknown>;
    const amount = this.amountField === undefined ? NaN : Number(ev[this.amountField]);
    if (r.decision !== 'approve') {
      this.recent.push({ id: id ?? null, at: now, score: r.score, decision: r.decision, reasons: r.reasons.map((x) => x.code), amount: Number.isFinite(amount) ? amount : null, event, features: r.features ?? null, version: versionOf(r) });
    }
    if (id === undefined) return;
    let baseline: Decision = 'approve';
    try { baseline = this.baseline(ev); } catch { /* a baseline that throws counts as approve */ }
    const group = this.grouping ? this.grouping.keyOf(ev) : null;
    this.track(id, { decision: r.decision, baseline, amount: Number.isFinite(amount) ? amount : 0, score: r.score, group, labelled: false });
  }

  /** A review that leaves the tracked ids (replaced or evicted) without its label is no longer pending. */
  private unpend(s: Scored): void {
    if (s.decision === 'review' && !s.labelled) this.pendingReviews--;
  }

  private track(id: string | number, s: Scored): void {
    const old = this.byId.get(id);
    if (old !== undefined) this.unpend(old);
    this.byId.set(id, s);
    if (s.decision === 'review') this.pendingReviews++;
  }

  /** Joins a late label to a tracked id; false when the id is not (or no longer) held or was labelled already. */
  outcome(id: string | number, label: 0 | 1): boolean {
    const s = this.byId.get(id);
    if (s === undefined || s.labelled) return false;
    s.labelled = true;
    if (s.decision === 'review') this.pendingReviews--;
    this.labelled.push({ decision: s.decision, baseline: s.baseline, amount: s.amount, score: s.score, group: s.group, label });
    return true;
  }

  /** Decision counts of the last `seconds` whole seconds before now, oldest first. */
  decisionsOverTime(seconds = this.historySeconds): { t: number[]; approve: number[]; review: number[]; decline: number[] } {
    const now = Math.floor(this.clock() / 1000);
    const out = { t: [] as number[], approve: [] as number[], review: [] as number[], decline: [] as number[] };
    for (let s = now - Math.min(seconds, this.historySeconds) + 1; s <= now; s++) {
      const slot = ((s % this.historySeconds) + this.historySeconds) % this.historySeconds;
      const live = this.secondOf[slot] === s;
      out.t.push(s);
      out.approve.push(live ? this.perSecond[slot * 3] : 0);
      out.review.push(live ? this.perSecond[slot * 3 + 1] : 0);
      out.decline.push(live ? this.perSecond[slot * 3 + 2] : 0);
    }
    return out;
  }

  /** The latest scores (up to the ring's size), in no particular order. */
  latestScores(): Float64Array {
    return this.scores.subarray(0, Math.min(this.scoreCount, this.scores.length));
  }

  /** The latest declines and reviews, newest first. */
  latestDecisions(): RecentDecision[] {
    return this.recent.toArray().reverse();
  }

  /** The decline or review of `id` among the latest, or undefined. */
  recentById(id: string): RecentDecision | undefined {
    return this.recent.toArray().find((d) => String(d.id) === id);
  }
}
