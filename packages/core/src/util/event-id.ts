/**
 * An event's id for idempotency and outcomes: the own property `field` when it is a
 * string or a finite number, else undefined (absent, inherited, or of another type).
 */
export function eventIdOf(event: unknown, field: string | undefined): string | number | undefined {
  if (field === undefined || event === null || typeof event !== 'object' || !Object.prototype.hasOwnProperty.call(event, field)) return undefined;
  const v = (event as Record<string, unknown>)[field];
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : undefined;
}
