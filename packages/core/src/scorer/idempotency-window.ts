/**
 * The bounded window of recently committed event ids that makes scoring idempotent: a
 * retried or redelivered event (a client timeout, at-least-once delivery from a stream)
 * is recognised and not counted twice in the entity windows.
 *
 * A Map finds an id; a ring of the ids in commit order says which leaves: past `maxIds`
 * the oldest ids leave first (FIFO by commit), in O(1) with no allocation. An LRU
 * (lru-cache) would also refresh an id on every duplicate, which only matters for ids
 * that are retried for longer than `maxIds` events; FIFO states its bound exactly: an
 * id is recognised while fewer than `maxIds` newer events have been committed.
 */
/** A transaction's claim on an id while it is in flight. */
export interface Claim {
  done: Promise<void> | undefined;
  release: (() => void) | undefined;
}

export class IdempotencyWindow<V> {
  private readonly done = new Map<string | number, V>();
  private readonly pending = new Map<string | number, Claim>();
  private readonly order: (string | number)[] = [];
  private head = 0;

  constructor(readonly maxIds: number) {}

  /** The value stored when `id` was committed, while it is in the window. */
  get(id: string | number): V | undefined {
    return this.done.get(id);
  }

  /** Remembers a committed id, dropping the oldest past `maxIds`. */
  set(id: string | number, value: V): void {
    if (this.done.has(id)) { this.done.set(id, value); return; }
    // The ids in commit order, in a ring: the oldest leaves when a new one comes, with no
    // iterator allocated per event.
    if (this.order.length < this.maxIds) this.order.push(id);
    else {
      this.done.delete(this.order[this.head]);
      this.order[this.head] = id;
      this.head = this.head + 1 === this.maxIds ? 0 : this.head + 1;
    }
    this.done.set(id, value);
  }

  /**
   * Settles when the transaction in flight for `id` ends (never rejects), or undefined
   * when none is. The promise is made only when someone waits: a lone transaction
   * allocates none.
   */
  inFlight(id: string | number): Promise<void> | undefined {
    const c = this.pending.get(id);
    if (c === undefined) return undefined;
    return (c.done ??= new Promise<void>((resolve) => { c.release = resolve; }));
  }

  /** Marks `id` in flight; `end` with the returned claim when the transaction is over. */
  begin(id: string | number): Claim {
    const c: Claim = { done: undefined, release: undefined };
    this.pending.set(id, c);
    return c;
  }

  /** Ends `claim` on `id` (a later transaction's claim stays) and wakes who waited. */
  end(id: string | number, claim: Claim): void {
    if (this.pending.get(id) === claim) this.pending.delete(id);
    claim.release?.();
  }

  get size(): number {
    return this.done.size;
  }

  clear(): void {
    this.done.clear();
    this.order.length = 0;
    this.head = 0;
  }
}
