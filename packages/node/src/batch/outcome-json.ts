/**
 * Score outcomes as the service, the CLI and `scoreTable` write them out: the same
 * shapes everywhere, so an explanation or a refused event reads alike in a response, a
 * JSON-lines file and an Arrow column.
 */
import type { ScoreExplanation } from '@riskscore/core';

/**
 * An explanation as JSON: members' attributions are Float64Arrays, which
 * `JSON.stringify` would write as objects keyed "0", "1", …; they become arrays.
 */
export function explanationJson(e: ScoreExplanation): Omit<ScoreExplanation, 'members'> & { members: Record<string, number[]> } {
  const members: Record<string, number[]> = {};
  for (const k in e.members) members[k] = Array.from(e.members[k]);
  return { ...e, members };
}

/**
 * A `scoreBatch` outcome's error named by the event alone: the batch's `['events', i, …]`
 * becomes `['event', …]`, for writers that name the event by its line or row instead.
 */
export function eventError(e: { code: string; message: string; path: ReadonlyArray<string | number> }): { code: string; message: string; path: ReadonlyArray<string | number> } {
  return { code: e.code, message: e.message, path: e.path[0] === 'events' ? ['event', ...e.path.slice(2)] : e.path };
}
