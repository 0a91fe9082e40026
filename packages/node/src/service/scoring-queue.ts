/**
 * The service's one line of scoring work, in arrival order: single scores coalesce into
 * one `scoreBatch` (micro-batching: the neural members run once over the rows of many
 * requests), and everything else (a batch request, an explained score, an outcome) runs
 * alone in its place in the line.
 *
 * One job at a time, first in first out: an entity's events are scored in the order
 * their requests arrived, and a batch never races another over an entity. While a job
 * runs (the members wait on onnxruntime's threads), requests keep arriving and queue, so
 * the next batch is as large as the load makes it: idle, a request waits only for the end
 * of the current event-loop turn (`maxWaitUs: 0`) or `maxWaitUs`; loaded, up to
 * `maxRows` rows go together.
 */
import { RiskscoreError, type ExplainOptions, type ScoreOutcome, type RiskscoreErrorLike } from '@riskscore/core';
import type { ServiceScorer } from './scoring-service';

export interface MicroBatchOptions {
  /** Most single-score requests scored in one batch (default 64). */
  readonly maxRows?: number;
  /** Longest an idle queue waits for more requests before scoring, in µs (default 0: the end of the event-loop turn). */
  readonly maxWaitUs?: number;
}

/** Sizes and timings of what the queue ran (for metrics). */
export interface QueueObserver {
  batch(rows: number, queuedUs: number, runUs: number): void;
}

type Job =
  | { kind: 'score'; event: unknown; at: number; resolve: (o: ScoreOutcome) => void }
  | { kind: 'other'; at: number; run: () => Promise<void> | void };

export interface ScoringQueue {
  score(event: unknown): Promise<ScoreOutcome>;
  explain(event: unknown, options: ExplainOptions | true): Promise<ScoreOutcome>;
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

export function createScoringQueue(scorer: Pick<ServiceScorer, 'scoreBatch' | 'safeScore'>, options: MicroBatchOptions = {}, observer?: QueueObserver): ScoringQueue {
  const maxRows = options.maxRows ?? 64;
  const maxWaitUs = options.maxWaitUs ?? 0;
  if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > 65_536) {
    throw new RiskscoreError('invalid_argument', `microBatch.maxRows must be an integer from 1 to 65536, got ${String(maxRows)}`, { path: ['microBatch', 'maxRows'] });
  }
  if (!Number.isFinite(maxWaitUs) || maxWaitUs < 0 || maxWaitUs > 1_000_000) {
    throw new RiskscoreError('invalid_argument', `microBatch.maxWaitUs must be from 0 to 1000000, got ${String(maxWaitUs)}`, { path: ['microBatch', 'maxWaitUs'] });
  }
  const jobs: Job[] = [];
  let head = 0;
  let running = false;
  let scheduled = false;
  let idleWaiters: Array<() => void> = [];

  const schedule = (): void => {
    if (running || scheduled) return;
    scheduled = true;
    if (maxWaitUs === 0) setImmediate(pump);
    else setTimeout(pump, maxWaitUs / 1000);
  };

  async function pump(): Promise<void> {
    scheduled = false;
    if (running) return;
    running = true;
    try {
      while (head < jobs.length) {
        const job = jobs[head];
        if (job.kind === 'score') {
          const group: Array<Extract<Job, { kind: 'score' }>> = [];
          while (head < jobs.length && group.length < maxRows && jobs[head].kind === 'score') group.push(jobs[head++] as Extract<Job, { kind: 'score' }>);
          const t0 = performance.now();
          let outcomes: ScoreOutcome[];
          try {
            outcomes = await scorer.scoreBatch(group.map((j) => j.event));
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
        } else {
          head++;
          await job.run();
        }
        if (head > 1024 && head * 2 > jobs.length) { jobs.splice(0, head); head = 0; }
      }
      jobs.length = 0;
      head = 0;
    } finally {
      running = false;
    }
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
    if (head < jobs.length) schedule();
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
    explain: (event, explain) => enqueueOther(() => scorer.safeScore(event, { explain })),
    batch: (events) => enqueueOther(() => scorer.scoreBatch(events)),
    run: enqueueOther,
    get depth() { return jobs.length - head + (running ? 1 : 0); },
    maxRows,
    maxWaitUs,
    idle: () => (head >= jobs.length && !running ? Promise.resolve() : new Promise<void>((r) => { idleWaiters.push(r); })),
  };
}
