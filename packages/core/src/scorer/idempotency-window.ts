/**
 * The bounded window of recently committed event ids that makes scoring idempotent: a
 * retried or redelivered event (a client timeout, at-least-once delivery from a stream)
 * is recognised and not counted twice in the entity windows.
 *
 * A Map keeps insertion order, so the oldest id is its first key: past `maxIds` the
 * oldest ids leave first (FIFO by commit), in O(1) with no per-entry bookkeeping. An LRU
 * (lru-cache) would also refresh an id on every duplicate, which only matters for ids
 * that are retried for longer than `maxIds` events; FIFO states its bound exactly: an
 * id is recognised while fewer than `maxIds` newer events have been committed.
 */
export class IdempotencyWindow<V> {
  private readonly done = new Map<string | number, V>();
  private readonly pending = new Map<string | number, Promise<unknown>>();

  constructor(readonly maxIds: number) {}

  /** The value stored when `id` was committed, while it is in the window. */
  get(id: string | number): V | undefined {
    return this.done.get(id);
  }

  /** Remembers a committed id, dropping the oldest past `maxIds`. */
  set(id: string | number, value: V): void {
    this.done.delete(id);
    this.done.set(id, value);
    if (this.done.size > this.maxIds) this.done.delete(this.done.keys().next().value as string | number);
  }

  /** The transaction in flight for `id`, if any. */
  inFlight(id: string | number): Promise<unknown> | undefined {
    return this.pending.get(id);
  }

  /** Marks `id` in flight until `p` settles. */
  track(id: string | number, p: Promise<unknown>): void {
    this.pending.set(id, p);
    const clear = (): void => {
      if (this.pending.get(id) === p) this.pending.delete(id);
    };
    p.then(clear, clear);
  }

  get size(): number {
    return this.done.size;
  }

  /** Every id in the window, oldest first, with its value (for snapshots). */
  entries(): IterableIterator<[string | number, V]> {
    return this.done.entries();
  }

  clear(): void {
    this.done.clear();
  }
}
