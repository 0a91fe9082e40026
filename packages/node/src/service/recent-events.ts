/**
 * Values by event id for the events scored recently, bounded: past `maxIds` the oldest id
 * leaves first (`onEvict` hears of it). The service keeps each scored event, so that a
 * late outcome can be posted by id alone (`POST /v1/outcomes {"id": …, "label": 1}`: the
 * scorer's label-delayed features need the event's keys and time, which the id maps back
 * to); the dashboard keeps what a late label of the id needs.
 */
export class RecentEvents<V = Record<string, unknown>> {
  private readonly byId = new Map<string | number, V>();
  private readonly order: Array<string | number> = [];
  private head = 0;
  constructor(readonly maxIds: number, private readonly onEvict?: (value: V) => void) {}

  set(id: string | number, value: V): void {
    if (this.byId.has(id)) { this.byId.set(id, value); return; }
    if (this.order.length < this.maxIds) this.order.push(id);
    else {
      const oldest = this.order[this.head];
      const gone = this.byId.get(oldest);
      this.byId.delete(oldest);
      if (gone !== undefined) this.onEvict?.(gone);
      this.order[this.head] = id;
      this.head = this.head + 1 === this.maxIds ? 0 : this.head + 1;
    }
    this.byId.set(id, value);
  }

  get(id: string | number): V | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }
}
