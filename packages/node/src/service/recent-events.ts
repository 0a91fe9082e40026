/**
 * The events the service scored recently, by event id, so that a late outcome can be
 * posted by id alone (`POST /v1/outcomes {"id": …, "label": 1}`): the scorer's
 * label-delayed features need the event's keys and time, which the id maps back to.
 * Bounded: past `maxIds` the oldest id leaves first.
 */
export class RecentEvents {
  private readonly byId = new Map<string | number, Record<string, unknown>>();
  private readonly order: Array<string | number> = [];
  private head = 0;
  constructor(readonly maxIds: number) {}

  set(id: string | number, event: Record<string, unknown>): void {
    if (this.byId.has(id)) { this.byId.set(id, event); return; }
    if (this.order.length < this.maxIds) this.order.push(id);
    else {
      this.byId.delete(this.order[this.head]);
      this.order[this.head] = id;
      this.head = this.head + 1 === this.maxIds ? 0 : this.head + 1;
    }
    this.byId.set(id, event);
  }

  get(id: string | number): Record<string, unknown> | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }
}
