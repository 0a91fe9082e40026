/**
 * Who scored what, until the label comes: for each event id, the version that decided
 * (and its arm) and every shadow that scored it. A late label (`recordOutcome(id, label)`)
 * is attributed to all of them at once, so the verdict compares versions on the same
 * labelled events (paired) and arms on their own events (independent).
 *
 * Bounded: the most recent `maxEvents` ids are kept (FIFO by first score, as the
 * scorer's idempotency window); a label for an id that has left is not attributed and is
 * counted as `expired`. Labelled samples are kept per experiment in growing typed arrays
 * (one label per event: 16 bytes per labelled event and scorer).
 */

/** One version's score of one event. */
export interface LedgerScore {
  readonly version: string;
  readonly score: number;
  readonly decision: string;
}

/** One scored event, awaiting its label. */
interface Pending {
  experiment: string;
  arm: string;
  decider: LedgerScore;
  shadows: LedgerScore[];
  labelled: boolean;
}

/** Labelled events of one experiment, as columns. */
export interface LabelledSample {
  readonly experiment: string;
  /** Number of labelled events. */
  n: number;
  labels: Uint8Array;
  /** Arm index (into `arms`) that decided each event. */
  armOf: Uint16Array;
  arms: string[];
  /** The deciding version's score and decision of each event. */
  deciderScore: Float64Array;
  deciderVersion: Uint16Array;
  /** 1 when the decider declined, 0.5 review, 0 approve. */
  deciderDecision: Float32Array;
  versions: string[];
  /** Per shadow version: its score of each event (NaN where it did not score it). */
  shadowScores: Map<string, Float64Array>;
  shadowDecisions: Map<string, Float32Array>;
}

const DECISION_CODE: Record<string, number> = { approve: 0, review: 0.5, decline: 1 };

function grow<T extends Float64Array | Float32Array | Uint8Array | Uint16Array>(a: T, n: number, fill?: number): T {
  if (n <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2, 1024));
  b.set(a);
  if (fill !== undefined) b.fill(fill, a.length);
  return b;
}

export class OutcomeLedger {
  private readonly pending = new Map<string | number, Pending>();
  private readonly order: Array<string | number> = [];
  private head = 0;
  private readonly samples = new Map<string, LabelledSample>();
  /** Labels whose id had left the window, or was never scored. */
  expired = 0;
  /** Labels for an id already labelled (not counted again). */
  relabelled = 0;

  constructor(readonly maxEvents: number) {}

  /** Records the deciding score of event `id` (a second score of the same id, a duplicate, is ignored). */
  decided(id: string | number, experiment: string, arm: string, decider: LedgerScore): void {
    if (this.pending.has(id)) return;
    if (this.order.length < this.maxEvents) this.order.push(id);
    else {
      this.pending.delete(this.order[this.head]);
      this.order[this.head] = id;
      this.head = this.head + 1 === this.maxEvents ? 0 : this.head + 1;
    }
    this.pending.set(id, { experiment, arm, decider, shadows: [], labelled: false });
  }

  /** Records a shadow's score of event `id` (after the decision: shadows run after the response). */
  shadowed(id: string | number, shadow: LedgerScore): void {
    const p = this.pending.get(id);
    if (p !== undefined && !p.labelled && !p.shadows.some((s) => s.version === shadow.version)) p.shadows.push(shadow);
  }

  /** Attributes `label` to every version that scored `id`; returns how many (0: unknown, expired or already labelled). */
  label(id: string | number, label: 0 | 1): number {
    const p = this.pending.get(id);
    if (p === undefined) { this.expired++; return 0; }
    if (p.labelled) { this.relabelled++; return 0; }
    p.labelled = true;
    let s = this.samples.get(p.experiment);
    if (s === undefined) {
      s = {
        experiment: p.experiment, n: 0, labels: new Uint8Array(0), armOf: new Uint16Array(0), arms: [],
        deciderScore: new Float64Array(0), deciderVersion: new Uint16Array(0), deciderDecision: new Float32Array(0), versions: [],
        shadowScores: new Map(), shadowDecisions: new Map(),
      };
      this.samples.set(p.experiment, s);
    }
    const i = s.n++;
    s.labels = grow(s.labels, s.n);
    s.armOf = grow(s.armOf, s.n);
    s.deciderScore = grow(s.deciderScore, s.n);
    s.deciderVersion = grow(s.deciderVersion, s.n);
    s.deciderDecision = grow(s.deciderDecision, s.n);
    s.labels[i] = label;
    s.armOf[i] = indexOf(s.arms, p.arm);
    s.deciderScore[i] = p.decider.score;
    s.deciderVersion[i] = indexOf(s.versions, p.decider.version);
    s.deciderDecision[i] = DECISION_CODE[p.decider.decision] ?? NaN;
    for (const [v, col] of s.shadowScores) s.shadowScores.set(v, grow(col, s.n, NaN));
    for (const [v, col] of s.shadowDecisions) s.shadowDecisions.set(v, grow(col, s.n, NaN));
    for (const sh of p.shadows) {
      if (!s.shadowScores.has(sh.version)) {
        s.shadowScores.set(sh.version, new Float64Array(Math.max(s.labels.length, 1024)).fill(NaN));
        s.shadowDecisions.set(sh.version, new Float32Array(Math.max(s.labels.length, 1024)).fill(NaN));
      }
      s.shadowScores.get(sh.version)![i] = sh.score;
      s.shadowDecisions.get(sh.version)![i] = DECISION_CODE[sh.decision] ?? NaN;
    }
    return 1 + p.shadows.length;
  }

  /** The labelled events of an experiment (undefined: none yet). */
  sample(experiment: string): LabelledSample | undefined {
    return this.samples.get(experiment);
  }

  /** Ids awaiting a label. */
  get size(): number {
    return this.pending.size;
  }
}

function indexOf(list: string[], name: string): number {
  let k = list.indexOf(name);
  if (k < 0) { k = list.length; list.push(name); }
  return k;
}
