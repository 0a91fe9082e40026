import { ExplainError } from '../errors';
import { type BinaryLabels, checkBinaryInputs, type Scores } from '../quality/binary-inputs';

/** Scores for the comparison tests: a typed array or a plain array of finite numbers. */
export type CompareScores = Scores | readonly number[];

/** The confidence level option shared by the comparison tests. */
export interface LevelOptions {
  /** Confidence level of the interval, in (0, 1); default 0.95. */
  readonly level?: number;
}

/**
 * Checks one scores/labels pair with {@link checkBinaryInputs} (both classes needed) and
 * renames the paths and messages to the caller's argument names (`scoresA`, `labelsB`, …).
 * Also requires two rows of each class, which the DeLong variance divides by (n − 1).
 *
 * @returns the number of positives
 * @example
 * checkScoredPair('aucCi', 'scores', [0.1, 0.2, 0.8, 0.9], 'labels', new Uint8Array([0, 0, 1, 1])); // 2
 */
export function checkScoredPair(fn: string, scoresName: string, scores: CompareScores, labelsName: string, labels: BinaryLabels): number {
  let pos: number;
  try {
    pos = checkBinaryInputs(fn, scores as Scores, labels, true);
  } catch (e) {
    if (!ExplainError.isInstance(e)) throw e;
    const head = e.path[0] === 'scores' ? scoresName : labelsName;
    const message = e.message.replace(/\bscores\b/g, scoresName).replace(/\blabels\b/g, labelsName);
    throw new ExplainError(e.code, message, [head, ...e.path.slice(1)], { details: e.details, cause: e });
  }
  const neg = scores.length - pos;
  if (pos < 2 || neg < 2) {
    throw new ExplainError(
      'undefined_statistic',
      `${fn}: ${labelsName} hold ${pos} positive(s) and ${neg} negative(s); the DeLong variance needs at least 2 of each class`,
      [labelsName],
      { details: { positives: pos, negatives: neg } },
    );
  }
  return pos;
}

/** Validates `options.level` and returns it (default 0.95). @example checkLevel('aucCi', {}); // 0.95 */
export function checkLevel(fn: string, options: LevelOptions | undefined): number {
  const level = options?.level ?? 0.95;
  if (typeof level !== 'number' || !(level > 0 && level < 1)) {
    throw new ExplainError('invalid_argument', `${fn}: options.level must be a number strictly between 0 and 1 (e.g. 0.95), got ${String(level)}`, ['options', 'level'], {
      details: { actual: level },
    });
  }
  return level;
}
