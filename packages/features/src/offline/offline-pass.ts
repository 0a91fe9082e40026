import { FeatureError } from '../errors';
import { evaluatorInternals, type EventRecord, type FeatureEvaluator, type FeatureVector } from '../evaluate/compile-feature-spec';
import { secondsFromDuration } from '../spec/duration';
import type { EntityKey } from '../state/state-store';

/**
 * One pass over time-ordered historical events through the online evaluator, point in
 * time correct: before each event, the outcomes that were known by its time are recorded
 * (the label of an event at `s` becomes known at `s + event.label.availableAfter`), then
 * the event is computed and committed exactly as `computeInto` does online. Replaying the
 * same events and `recordOutcome` calls online therefore gives the same bits. When every
 * label window's delay is at least `availableAfter`, an outcome is known before any window
 * can hold its event, so it is stored with the event when committed instead (one state
 * update less per outcome, the same counts and bits).
 */
export interface OfflinePass {
  /** The evaluator the pass drives (its `featureNames`, `size`, `lineage`). */
  readonly evaluator: FeatureEvaluator;
  /**
   * Computes one row's features into `out[offset …]`. The row carries the label column
   * (when the spec has one): a finite number, or null / undefined / NaN when unknown.
   * Throws `out_of_order` for a row older than the previous one.
   */
  process(row: EventRecord, out: FeatureVector, offset?: number): void;
  /** Rows processed so far. */
  readonly rows: number;
}

/**
 * Creates an offline pass over an evaluator (usually a fresh one).
 *
 * @example
 * const pass = createOfflinePass(compileFeatureSpec(spec));
 * const out = new Float64Array(pass.evaluator.size);
 * for (const row of rows) { pass.process(row, out); write(out); }
 */
export function createOfflinePass(evaluator: FeatureEvaluator): OfflinePass {
  const internals = evaluatorInternals(evaluator);
  // History is replayed after the fact: its timestamps are not checked against the clock.
  internals.disableClock();
  const labelSpec = evaluator.spec.event.label;
  const labelField = labelSpec?.field;
  const delay = labelSpec ? secondsFromDuration(labelSpec.availableAfter) : 0;
  const le = internals.labelEntities;
  const L = le.length;
  // With every label window ending at least availableAfter before its event, a label is
  // known whenever a window could count it: it is stored with the event at commit (no
  // recordOutcome availableAfter later, the same counts; see EvaluatorInternals).
  const atCommit = L > 0 && internals.labelAtCommit;
  // Pending outcomes, a FIFO (known-at times only grow because rows are time-ordered).
  let cap = 1024;
  let knownAt: Float64Array = new Float64Array(cap);
  let pts: Float64Array = new Float64Array(cap);
  let ptag: Float64Array = new Float64Array(cap);
  let plabel: Float64Array = new Float64Array(cap);
  let pkeys: EntityKey[] = new Array(cap * L);
  let head = 0;
  let tail = 0;
  let lastT = -Infinity;
  let rows = 0;

  const push = (at: number, ts: number, tag: number, label: number): void => {
    if (tail === cap) {
      const live = tail - head;
      if (live * 2 > cap) cap *= 2;
      const grow = (a: Float64Array): Float64Array => {
        const b = new Float64Array(cap);
        b.set(a.subarray(head, tail));
        return b;
      };
      knownAt = grow(knownAt); pts = grow(pts); ptag = grow(ptag); plabel = grow(plabel);
      const k2: EntityKey[] = new Array(cap * L);
      for (let i = 0; i < live * L; i++) k2[i] = pkeys[head * L + i];
      pkeys = k2;
      head = 0;
      tail = live;
    }
    knownAt[tail] = at; pts[tail] = ts; ptag[tail] = tag; plabel[tail] = label;
    for (let j = 0; j < L; j++) pkeys[tail * L + j] = internals.keyAt(le[j]);
    tail++;
  };

  return {
    evaluator,
    get rows() {
      return rows;
    },
    process(row, out, offset = 0) {
      const t = internals.timestampOf(row);
      if (t < lastT) {
        throw new FeatureError('out_of_order',
          `row ${rows}: time ${t} s is before the previous row's ${lastT} s; the offline pass needs rows in time order`,
          [evaluator.spec.event.timestamp.field]);
      }
      let label = NaN;
      if (labelField !== undefined && L > 0) {
        const y = (row as Readonly<Record<string, unknown>>)[labelField];
        if (typeof y === 'number') {
          if (y !== y) label = NaN;
          else if (!Number.isFinite(y)) throw new FeatureError('invalid_event', `row ${rows}: label "${labelField}" must be finite, got ${y}`, [labelField]);
          else label = y;
        } else if (y !== undefined && y !== null) {
          throw new FeatureError('invalid_event', `row ${rows}: label "${labelField}" must be a number, got ${typeof y}`, [labelField]);
        }
      }
      if (atCommit) {
        // The label travels with the event; label windows count it once it is known.
        internals.setNextLabel(label);
      } else {
        while (head < tail && knownAt[head] <= t) {
          for (let j = 0; j < L; j++) internals.recordOutcomeAt(le[j], pkeys[head * L + j], pts[head], ptag[head], plabel[head]);
          head++;
        }
        if (head === tail) { head = 0; tail = 0; }
      }
      evaluator.computeInto(row, out, offset);
      if (!atCommit && label === label) push(t + delay, t, internals.tag(), label);
      lastT = t;
      rows++;
    },
  };
}
