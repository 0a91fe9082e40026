/**
 * The service's one line of scoring work, in arrival order: single scores coalesce into
 * one `scoreBatch` (micro-batching: the neural members run once over the rows of many
 * requests), and everything else (a batch request, an explained score, an outcome) runs
 * alone in its place in the line.
 *
 * Jobs start first in first out, up to `maxBatchesInFlight` at a time (default 2); the
 * scorer keeps an entity's events in call order across calls in flight (its entity
 * lines), so they are scored in the order their requests arrived. While jobs run (the
 * members wait on onnxruntime's threads), requests keep arriving and queue, so
 * the next batch is as large as the load makes it: idle, a request waits only for the end
 * of the current event-loop turn (`maxWaitUs: 0`) or `maxWaitUs`; loaded, up to
 * `maxRows` rows go together.
 */
import { RiskscoreError, type ExplainOptions, type ScoreOutcome, type RiskscoreErrorLike } from '@riskscore/core';
import type { ServiceScorer } from './scoring-service';

/** Micro-batching of single scores; a value out of its range throws `invalid_argument` at `['microBatch', name]`. */
export interface MicroBatchOptions {
  /** Most single-score requests scored in one batch (default 64). */
  readonly maxRows?: number;
  /** Longest an idle queue waits for more requests before scoring, in µs (default 0: the end of the event-loop turn). */
  readonly maxWaitUs?: number;
  /**
   * Batches handed to the scorer before the first comes back (default 2: the next batch's
   * features are computed while the last one's neural members run). The scorer keeps an
   * entity's events in call order across batches in flight (its entity lines).
   */
  readonly maxBatchesInFlight?: number;
}

/** Sizes and timings of what the queue ran (for metrics). */
export interface QueueObserver {
  batch(rows: number, queuedUs: number, runUs: number): void;
}

type Job =
  | { kind: 'score'; event: unknown; at: number; resolve: (o: ScoreOutcome) => void }
  | { kind: 'other'; at: number; run: () => Promise<void> | void };

/** The service's line of scoring work (see the module comment). */
export interface ScoringQueue {
  /** Scores one event together with the single scores queued beside it (one `scoreBatch` of up to `maxRows`). */
  score(event: unknown): Promise<ScoreOutcome>;
  /** Scores and explains one event alone, in its place in the line. */
  explain(event: unknown, options: ExplainOptions | true): Promise<ScoreOutcome>;
  /** Scores a batch request's events alone, in its place in the line. */
  batch(events: readonly unknown[]): Promise<ScoreOutcome[]>;
  /** Runs `fn` in its place in the line (an outcome, a snapshot). */
  run<T>(fn: () => T | Promise<T>): Promise<T>;
  /** Jobs waiting or running. */
  readonly depth: number;
  readonly maxRows: number;
  readonly maxWaitUs: number;
  /** Resolves once the line is empty. */
  idle(): Promise<void>;
}

/** An error of event 0 of a one-event batch, as `score` would have thrown it. */
function unbatched(e: RiskscoreErrorLike): RiskscoreErrorLike {
  const cause = (e as { cause?: unknown }).cause;
  if (cause !== undefined && cause !== null && typeof cause === 'object' && 'code' in cause && 'path' in cause) return cause as RiskscoreErrorLike;
  return e;
}

export function createScoringQueue(scorer: Pick<ServiceScorer, 'scoreBatch' | 'safeScore'>, options: MicroBatchOptions = {}, observer?: QueueObserver, scoreOptions?: { features?: boolean }): ScoringQueue {
  const maxRows = options.maxRows ?? 64;
  const maxWaitUs = options.maxWaitUs ?? 0;
  if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > 65_536) {
    throw new RiskscoreError('invalid_argument', `microBatch.maxRows must be an integer from 1 to 65536, got ${String(maxRows)}`, { path: ['microBatch', 'maxRows'] });
  }
  if (!Number.isFinite(maxWaitUs) || maxWaitUs < 0 || maxWaitUs > 1_000_000) {
    throw new RiskscoreError('invalid_argument', `microBatch.maxWaitUs must be from 0 to 1000000, got ${String(maxWaitUs)}`, { path: ['microBatch', 'maxWaitUs'] });
  }
  const depth = options.maxBatchesInFlight ?? 2;
  if (!Number.isInteger(depth) || depth < 1 || depth > 64) {
    throw new RiskscoreError('invalid_argument', `microBatch.maxBatchesInFlight must be an integer from 1 to 64, got ${String(depth)}`, { path: ['microBatch', 'maxBatchesInFlight'] });
  }
  const jobs: Job[] = [];
  let head = 0;
  let inFlight = 0;
  let scheduled = false;
  let idleWaiters: Array<() => void> = [];

  const schedule = (): void => {
    if (inFlight >= depth || scheduled) return;
    scheduled = true;
    if (maxWaitUs === 0) setImmediate(pump);
    else setTimeout(pump, maxWaitUs / 1000);
  };

  async function runGroup(group: Array<Extract<Job, { kind: 'score' }>>): Promise<void> {
    const t0 = performance.now();
    let outcomes: ScoreOutcome[];
    try {
      outcomes = await scorer.scoreBatch(group.map((j) => j.event), scoreOptions);
    } catch (e) {
      const error = e instanceof RiskscoreError ? e : new RiskscoreError('internal_error', 'scoreBatch failed', { path: [], cause: e });
      outcomes = group.map(() => ({ ok: false as const, error }));
    }
    const t1 = performance.now();
    observer?.batch(group.length, (t0 - group[0].at) * 1000, (t1 - t0) * 1000);
    for (let k = 0; k < group.length; k++) {
      const o = outcomes[k];
      group[k].resolve(o.ok ? o : { ok: false, error: unbatched(o.error) });
    }
  }

  /** Starts the next jobs, in order, while fewer than `depth` run (each call to the scorer is made in arrival order). */
  function pump(): void {
    scheduled = false;
    while (head < jobs.length && inFlight < depth) {
      const job = jobs[head];
      let running: Promise<void>;
      if (job.kind === 'score') {
        const group: Array<Extract<Job, { kind: 'score' }>> = [];
        while (head < jobs.length && group.length < maxRows && jobs[head].kind === 'score') group.push(jobs[head++] as Extract<Job, { kind: 'score' }>);
        running = runGroup(group);
      } else {
        head++;
        running = Promise.resolve(job.run());
      }
      inFlight++;
      void running.then(finished, finished);
    }
    if (head === jobs.length) { jobs.length = 0; head = 0; }
    else if (head > 1024 && head * 2 > jobs.length) { jobs.splice(0, head); head = 0; }
  }

  function finished(): void {
    inFlight--;
    // What queued meanwhile goes at once, as one batch (the load made it that size).
    if (head < jobs.length) { pump(); return; }
    if (inFlight === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  const enqueueOther = <T>(fn: () => T | Promise<T>): Promise<T> => new Promise<T>((resolve, reject) => {
    jobs.push({ kind: 'other', at: performance.now(), run: async () => { try { resolve(await fn()); } catch (e) { reject(e); } } });
    schedule();
  });

  return {
    score: (event) => new Promise<ScoreOutcome>((resolve) => {
      jobs.push({ kind: 'score', event, at: performance.now(), resolve });
      schedule();
    }),
    explain: (event, explain) => enqueueOther(() => scorer.safeScore(event, { explain, ...scoreOptions })),
    batch: (events) => enqueueOther(() => scorer.scoreBatch(events, scoreOptions)),
    run: enqueueOther,
    get depth() { return jobs.length - head + inFlight; },
    maxRows,
    maxWaitUs,
    idle: () => (head >= jobs.length && inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => { idleWaiters.push(r); })),
  };
}
