import { ExplainError } from '../errors';

/** Group membership per row as small non-negative integer codes (0, 1, 2, …). */
export type GroupCodes = Uint8Array | Uint16Array | Int32Array;

/**
 * Checks group codes against the row count and returns the number of groups (max code + 1).
 *
 * @example
 * checkGroups('groupMetrics', new Uint8Array([0, 2, 1]), 3); // 3
 */
export function checkGroups(fn: string, groups: GroupCodes, rows: number): number {
  if (!ArrayBuffer.isView(groups) && !Array.isArray(groups)) {
    throw new ExplainError('invalid_argument', `${fn}: groups must be a typed array of integer group codes (e.g. Uint8Array), got ${groups === null ? 'null' : typeof groups}`, ['groups']);
  }
  if (groups.length !== rows) throw new ExplainError('invalid_argument', `${fn}: groups has ${groups.length} rows but scores has ${rows}`, ['groups']);
  let max = -1;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (!(Number.isInteger(g) && g >= 0 && g < 65536)) throw new ExplainError('invalid_argument', `${fn}: groups[${i}] is ${g}; expected an integer code in [0, 65535]`, ['groups', i]);
    if (g > max) max = g;
  }
  return max + 1;
}
