/**
 * Reading a caller's event exactly once. The scorer validates an event, computes its
 * features, decides on its rules and looks up its id: four readers. On a plain JSON
 * object they agree; on an object with getters or a Proxy they need not (a getter may
 * return a valid value to the validator and NaN to the features, or throw on the second
 * read). So the scorer first copies the own data of the fields it reads into a plain
 * object, reading each once, and every step after works on that copy.
 */
import { RiskscoreError } from '../errors';

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A reader that copies the own properties `names` (every own enumerable property when
 * `all`, so that an unknown-field policy still sees the extra keys) of a plain object
 * into a new plain object. Anything that is not a plain object comes back as it is, for
 * the validator to refuse by name; an event whose reading throws (a getter, a Proxy
 * trap) is refused as `invalid_event`.
 *
 * @example
 * const read = createEventReader(['AGE', 'PAY_0'], false);
 * read({ AGE: 30, PAY_0: 1, other: 2 }); // { AGE: 30, PAY_0: 1 }
 */
export function createEventReader(names: readonly string[], all: boolean): (event: unknown) => unknown {
  const n = names.length;
  return (event) => {
    if (event === null || typeof event !== 'object') return event;
    try {
      const proto = Object.getPrototypeOf(event);
      if (proto !== Object.prototype && proto !== null) return event;
      const src = event as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      if (all) {
        for (const k in src) if (hasOwn.call(src, k)) put(out, k, src[k]);
      } else {
        for (let i = 0; i < n; i++) if (hasOwn.call(src, names[i])) put(out, names[i], src[names[i]]);
      }
      return out;
    } catch (cause) {
      throw new RiskscoreError('invalid_event', `reading the event failed (${cause instanceof Error ? cause.message.slice(0, 200) : String(cause).slice(0, 200)}); pass a plain object of plain values`, {
        path: ['event'], cause,
      });
    }
  };
}

/** out[k] = v, also for k = "__proto__" (an own key from JSON.parse), which plain assignment would turn into a prototype. */
function put(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}
