/**
 * Arrival order per entity for concurrent transactions of one scorer. A transaction that
 * will commit takes a ticket in the line of each of its entities (after its first
 * prepare, when its entities are known); it runs once it is first in every one of its
 * lines, and leaves them when it commits or fails. So the events of an entity commit in
 * the order their `score()` calls came, however long each one's members take, and a
 * later event never overtakes an earlier one that waits behind a third entity.
 *
 * No deadlock: lines are first-in first-out in one global arrival order, so the earliest
 * transaction still waiting is first in all of its lines.
 */

/** A transaction's place in its entities' lines. */
export interface Ticket {
  /** Per entity kind, the entity's number (`entityHashesOf`; NaN: kind unused). */
  readonly hashes: Float64Array;
  /** Lines in which another ticket is still ahead of this one. */
  ahead: number;
  /** Resolves the wait once `ahead` reaches 0. */
  turn: (() => void) | undefined;
}

export class EntityLines {
  /** Per entity kind: entity number → its line, first ticket first. */
  private readonly lines: Array<Map<number, Ticket[]>> = [];

  /** Takes a ticket at the back of each of the entities' lines (copies `hashes`). */
  enter(hashes: Float64Array): Ticket {
    const t: Ticket = { hashes: Float64Array.from(hashes), ahead: 0, turn: undefined };
    for (let e = 0; e < t.hashes.length; e++) {
      const h = t.hashes[e];
      if (h !== h) continue;
      const byKey = (this.lines[e] ??= new Map());
      const line = byKey.get(h);
      if (line === undefined) byKey.set(h, [t]);
      else { line.push(t); t.ahead++; }
    }
    return t;
  }

  /** Resolves when the ticket is first in all of its lines. */
  wait(t: Ticket): Promise<void> {
    return t.ahead === 0 ? Promise.resolve() : new Promise<void>((resolve) => { t.turn = resolve; });
  }

  /** Leaves every line (done or failed); the next ticket whose turn it now is goes. */
  leave(t: Ticket): void {
    for (let e = 0; e < t.hashes.length; e++) {
      const h = t.hashes[e];
      if (h !== h) continue;
      const byKey = this.lines[e];
      const line = byKey.get(h)!;
      const at = line.indexOf(t);
      if (at < 0) continue;
      line.splice(at, 1);
      if (line.length === 0) { byKey.delete(h); continue; }
      // Only the ticket that was first moves the next one up (a ticket leaving from the
      // middle, having failed before its turn, was never ahead of it).
      if (at === 0) {
        const next = line[0];
        if (--next.ahead === 0 && next.turn !== undefined) { const go = next.turn; next.turn = undefined; go(); }
      }
    }
  }

  /** Tickets in any line (for tests). */
  get size(): number {
    const seen = new Set<Ticket>();
    for (const byKey of this.lines) if (byKey) for (const line of byKey.values()) for (const t of line) seen.add(t);
    return seen.size;
  }
}
