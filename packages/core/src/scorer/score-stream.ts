/**
 * Scoring a stream: events read from an async iterable (a queue consumer, a file, a
 * socket), scored in micro-batches, one outcome per event yielded in the order they came.
 *
 * - Back-pressure: at most `maxPending` events are read and not yet yielded; the source is
 *   not asked for the next one until the consumer of the outcomes takes one.
 * - Order: an event takes its place in its entities' lines when its batch is handed to
 *   `scoreBatch`, in source order, so the events of one entity commit in the order they
 *   came; events of different entities in one batch share one run of the members.
 * - Batching adapts to the load: while `concurrency` batches are being scored the events
 *   that arrive wait, and the next batch takes all of them (at most `maxBatch`), so a slow
 *   moment makes bigger batches instead of a longer queue of small ones.
 * - Each event is its own transaction: a bad event yields `{ ok: false, error }` and the
 *   rest go on. An error of the source ends the stream after the events read before it.
 * - `signal`: when it aborts, nothing more is read; the events already read are scored and
 *   yielded, then the stream ends (a drain) and the source is closed (`return()`). An item
 *   the source was still producing when it aborted is not scored.
 */
import { RiskscoreError, riskscoreErrorFrom } from '../errors';
import type { ScoreOutcome, Scorer } from './create-scorer';

/** What `scoreStream` needs of an `AbortSignal` (core runs in Node and in browsers, with neither's types). */
export interface StreamAbortSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Options of {@link scoreStream}. */
export interface StreamOptions<T> {
  /** The event of a source item (default: the item is the event), e.g. the parsed body of a message. */
  eventOf?: (item: T) => unknown;
  /** Most items read from the source and not yet yielded (default 1,024). */
  maxPending?: number;
  /** Most events per `scoreBatch` call (default 256). */
  maxBatch?: number;
  /** Most `scoreBatch` calls in flight (default 2). */
  concurrency?: number;
  /** Stops reading when it aborts; what was read is still scored and yielded. */
  signal?: StreamAbortSignal;
}

/** One event's outcome in a stream. */
export interface StreamOutcome<T> {
  /** The source item (a message to acknowledge, say). */
  item: T;
  /** Its position in the stream, from 0. */
  index: number;
  outcome: ScoreOutcome;
}

const positiveInt = (name: string, v: unknown, dflt: number): number => {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new RiskscoreError('invalid_argument', `scoreStream: options.${name} must be a positive integer, got ${typeof v === 'number' ? v : typeof v}`, { path: ['options', name] });
  }
  return v;
};

/**
 * Scores the events of `source` with `scorer`, yielding one {@link StreamOutcome} per event
 * in source order. Throws `invalid_argument` at once for a source that is not iterable or
 * bad options.
 */
export function scoreStream<T>(scorer: Pick<Scorer, 'scoreBatch'>, source: AsyncIterable<T> | Iterable<T>, options: StreamOptions<T> = {}): AsyncIterableIterator<StreamOutcome<T>> {
  if (source === null || typeof source !== 'object' && typeof source !== 'function'
    || typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] !== 'function' && typeof (source as Iterable<T>)[Symbol.iterator] !== 'function') {
    throw new RiskscoreError('invalid_argument', `scoreStream: source must be an async iterable or an iterable of events, got ${source === null ? 'null' : typeof source}`, { path: ['source'] });
  }
  if (options === null || typeof options !== 'object') {
    throw new RiskscoreError('invalid_argument', 'scoreStream: options must be an object', { path: ['options'] });
  }
  const maxPending = positiveInt('maxPending', options.maxPending, 1024);
  const maxBatch = positiveInt('maxBatch', options.maxBatch, 256);
  const concurrency = positiveInt('concurrency', options.concurrency, 2);
  const eventOf = options.eventOf;
  if (eventOf !== undefined && typeof eventOf !== 'function') {
    throw new RiskscoreError('invalid_argument', 'scoreStream: options.eventOf must be a function', { path: ['options', 'eventOf'] });
  }
  const signal = options.signal;
  return run(scorer, source, maxPending, maxBatch, concurrency, eventOf, signal);
}

interface Batch<T> { items: T[]; outcomes: Promise<ScoreOutcome[]> }

async function* run<T>(
  scorer: Pick<Scorer, 'scoreBatch'>, source: AsyncIterable<T> | Iterable<T>,
  maxPending: number, maxBatch: number, concurrency: number,
  eventOf: ((item: T) => unknown) | undefined, signal: StreamAbortSignal | undefined,
): AsyncGenerator<StreamOutcome<T>> {
  const it: AsyncIterator<T> | Iterator<T> = typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === 'function'
    ? (source as AsyncIterable<T>)[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
  const queue: T[] = [];
  const batches: Array<Batch<T>> = [];
  /** Read and not yet yielded. */
  let pending = 0;
  let readerDone = false;
  let readerError: { error: unknown } | undefined;
  let stopped = false;
  // One waiter each way: the reader waits for room, the writer (this generator) for work.
  let wakeReader: (() => void) | undefined;
  let wakeWriter: (() => void) | undefined;
  const nudge = (w: (() => void) | undefined): undefined => { w?.(); return undefined; };

  const startBatches = (): void => {
    while (batches.length < concurrency && queue.length > 0) {
      const items = queue.splice(0, maxBatch);
      let events: unknown[];
      let outcomes: Promise<ScoreOutcome[]>;
      try {
        events = eventOf === undefined ? items : items.map(eventOf);
        outcomes = scorer.scoreBatch(events);
      } catch (e) {
        const error = riskscoreErrorFrom(e, []);
        outcomes = Promise.resolve(items.map(() => ({ ok: false as const, error })));
      }
      // scoreBatch refuses only a bad call (never here); any rejection becomes each event's error.
      batches.push({ items, outcomes: outcomes.catch((e) => { const error = riskscoreErrorFrom(e, []); return items.map(() => ({ ok: false as const, error })); }) });
    }
  };

  const onAbort = (): void => { stopped = true; wakeReader = nudge(wakeReader); wakeWriter = nudge(wakeWriter); };
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) stopped = true;

  /** Closes the source once (a read still pending in it ends when it can). */
  let closing = false;
  const close = (): void => {
    if (closing) return;
    closing = true;
    try { void Promise.resolve(it.return?.()).catch(() => {}); } catch { /* a source that cannot close */ }
  };
  let reading = false;
  const reader = (async () => {
    let ended = false;
    try {
      while (!stopped) {
        if (pending >= maxPending) {
          await new Promise<void>((r) => { wakeReader = r; });
          continue;
        }
        reading = true;
        const r = await it.next();
        reading = false;
        if (r.done) { ended = true; break; }
        if (stopped) break;
        pending++;
        queue.push(r.value);
        startBatches();
        wakeWriter = nudge(wakeWriter);
      }
    } catch (e) {
      ended = true;
      readerError = { error: e };
    } finally {
      readerDone = true;
      if (!ended) close();
      wakeWriter = nudge(wakeWriter);
    }
  })();

  let index = 0;
  try {
    for (;;) {
      startBatches();
      const b = batches[0];
      if (b === undefined) {
        if (readerDone || stopped) break;
        await new Promise<void>((r) => { wakeWriter = r; });
        continue;
      }
      const outcomes = await b.outcomes;
      batches.shift();
      startBatches();
      for (let j = 0; j < b.items.length; j++) {
        yield { item: b.items[j], index: index++, outcome: outcomes[j] };
        pending--;
        wakeReader = nudge(wakeReader);
      }
    }
    if (readerError !== undefined) throw readerError.error;
  } finally {
    // The stream ended, was aborted, or its consumer stopped early (break, throw): read no
    // more, close the source (not waiting for a read still pending in it), and let the
    // batches in flight finish (their events commit; nobody sees those outcomes).
    stopped = true;
    signal?.removeEventListener('abort', onAbort);
    wakeReader = nudge(wakeReader);
    if (reading) close();
    await Promise.all(batches.map((b) => b.outcomes));
    void reader;
  }
}
