/**
 * A bounded ring of recently scored ids with their score and model version, so that a
 * label arriving later (a chargeback weeks after the payment, a default months after the
 * loan) can be joined to the score the model gave. The ring holds `capacity` entries; the
 * oldest is overwritten, and a label for an id no longer held is counted as unmatched.
 *
 * Fixed memory: typed arrays of `capacity`, one slot array for the id strings and an
 * id → slot map that never holds more than `capacity` keys.
 */
import { RiskscoreError } from '../errors';

/** The ring's state (owned by one monitor). */
export interface OutcomeRing {
  readonly capacity: number;
  readonly ids: Array<string | undefined>;
  readonly scores: Float64Array;
  /** Model version index per slot. */
  readonly models: Uint16Array;
  /** −1 no label yet, else 0 or 1. */
  readonly labels: Int8Array;
  readonly slotOf: Map<string, number>;
  /** Next slot to write. */
  head: number;
  /** Entries ever overwritten before or after their label. */
  evicted: number;
  /** Labels for ids not (or no longer) in the ring. */
  unmatched: number;
}

/**
 * An empty ring.
 *
 * @example
 * const ring = createOutcomeRing(10_000);
 */
export function createOutcomeRing(capacity: number): OutcomeRing {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 2 ** 26) {
    throw new RiskscoreError('invalid_argument', `createOutcomeRing: capacity must be an integer in 1…${2 ** 26}, got ${capacity}`, { path: ['outcomes', 'capacity'] });
  }
  return {
    capacity,
    ids: new Array<string | undefined>(capacity).fill(undefined),
    scores: new Float64Array(capacity),
    models: new Uint16Array(capacity),
    labels: new Int8Array(capacity).fill(-1),
    slotOf: new Map(),
    head: 0,
    evicted: 0,
    unmatched: 0,
  };
}

/**
 * Remembers the score of `id`. A second `track` of the same id replaces its score and
 * clears its label (the event was re-scored) without taking a new slot.
 *
 * @example
 * trackOutcome(ring, 'tx-1', 0.82, 0);
 */
export function trackOutcome(ring: OutcomeRing, id: string, score: number, model: number): void {
  const known = ring.slotOf.get(id);
  if (known !== undefined) {
    ring.scores[known] = score;
    ring.models[known] = model;
    ring.labels[known] = -1;
    return;
  }
  const slot = ring.head;
  const old = ring.ids[slot];
  if (old !== undefined) {
    ring.slotOf.delete(old);
    ring.evicted++;
  }
  ring.ids[slot] = id;
  ring.scores[slot] = score;
  ring.models[slot] = model;
  ring.labels[slot] = -1;
  ring.slotOf.set(id, slot);
  ring.head = slot + 1 === ring.capacity ? 0 : slot + 1;
}

/**
 * Joins a label to a tracked id; false (and counted as unmatched) when the id is not held.
 *
 * @example
 * joinOutcome(ring, 'tx-1', 1); // true
 */
export function joinOutcome(ring: OutcomeRing, id: string, label: 0 | 1): boolean {
  const slot = ring.slotOf.get(id);
  if (slot === undefined) {
    ring.unmatched++;
    return false;
  }
  ring.labels[slot] = label;
  return true;
}
