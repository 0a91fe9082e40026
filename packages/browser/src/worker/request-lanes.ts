/**
 * The page side's queue of requests to the worker: one request in the worker at a time,
 * the rest waiting here, where a stale one can still be dropped for free. A request in a
 * lane replaces the lane's older requests: one still waiting is never sent, one already
 * in the worker has its answer dropped; both reject with `cancelled` (`details.reason`
 * `'superseded'`). An aborted signal does the same for its own request (`'aborted'`).
 * Typing fast in a form therefore costs at most the request in the worker and the
 * newest one, however many keystrokes came between.
 */
import { RiskscoreError } from '@riskscore/core';

/** A request as the queue holds it. */
export interface LaneRequest<M> {
  readonly message: M;
  readonly lane?: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Entry<M> extends LaneRequest<M> {
  id: number;
  settled: boolean;
}

/** `cancelled`, for a request superseded in its lane or aborted by its signal. */
export function cancelledError(reason: 'superseded' | 'aborted', lane?: string): RiskscoreError {
  const why = reason === 'superseded' ? `a newer request in lane ${JSON.stringify(lane)} replaced it` : 'its signal was aborted';
  return new RiskscoreError('cancelled', `worker scorer: request cancelled: ${why}`, { path: [], details: lane === undefined ? { reason } : { reason, lane } });
}

export class RequestLanes<M> {
  private readonly waiting: Array<Entry<M>> = [];
  private inWorker: Entry<M> | undefined;
  private nextId = 1;

  /** `send` posts a request to the worker under its id. */
  constructor(private readonly send: (id: number, message: M) => void) {}

  /** Requests not settled: the one in the worker (if its answer is still wanted) and those waiting. */
  get pending(): number {
    return this.waiting.length + (this.inWorker && !this.inWorker.settled ? 1 : 0);
  }

  /** True while a request is in the worker (its answer, wanted or not, has not come). */
  get busy(): boolean {
    return this.inWorker !== undefined;
  }

  /** Queues a request; returns its id (for {@link abort}). */
  add(req: LaneRequest<M>): number {
    if (req.lane !== undefined) {
      for (let i = this.waiting.length - 1; i >= 0; i--) {
        const w = this.waiting[i];
        if (w.lane === req.lane) {
          this.waiting.splice(i, 1);
          this.settle(w, false, cancelledError('superseded', req.lane));
        }
      }
      const running = this.inWorker;
      if (running && running.lane === req.lane && !running.settled) this.settle(running, false, cancelledError('superseded', req.lane));
    }
    const id = this.nextId++;
    this.waiting.push({ ...req, id, settled: false });
    this.pump();
    return id;
  }

  /** Cancels request `id` (aborted): dropped if waiting, its answer ignored if in the worker. */
  abort(id: number): void {
    const i = this.waiting.findIndex((w) => w.id === id);
    if (i >= 0) {
      const [w] = this.waiting.splice(i, 1);
      this.settle(w, false, cancelledError('aborted', w.lane));
    } else if (this.inWorker?.id === id && !this.inWorker.settled) {
      this.settle(this.inWorker, false, cancelledError('aborted', this.inWorker.lane));
    }
  }

  /** The worker answered request `id`: settle it (unless cancelled) and send the next. */
  answer(id: number, ok: boolean, value: unknown): void {
    const e = this.inWorker;
    if (!e || e.id !== id) return;
    this.inWorker = undefined;
    if (!e.settled) this.settle(e, ok, value);
    this.pump();
  }

  /** Rejects everything (the worker died or was closed); later `add`s are the caller's to refuse. */
  failAll(error: unknown): void {
    const all = [...this.waiting, ...(this.inWorker ? [this.inWorker] : [])];
    this.waiting.length = 0;
    this.inWorker = undefined;
    for (const e of all) if (!e.settled) this.settle(e, false, error);
  }

  private settle(e: Entry<M>, ok: boolean, value: unknown): void {
    e.settled = true;
    if (ok) e.resolve(value);
    else e.reject(value);
  }

  private pump(): void {
    if (this.inWorker !== undefined) return;
    const next = this.waiting.shift();
    if (!next) return;
    this.inWorker = next;
    this.send(next.id, next.message);
  }
}
