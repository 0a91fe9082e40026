/**
 * Scoring an Arrow table: every row an event, scored in order (stateful features see the
 * rows in table order, and the scorer's entity state advances as with `scoreBatch`), in
 * chunks through `scoreBatch`, so the members run on whole chunks of rows. The answer is
 * an Arrow table with one row per input row: `row`, `ok`, `score`, `decision`, `reasons`
 * (reason codes joined by `;`), one `score_<member>` per member, and for a refused row
 * `error_code`, `error_path` (JSON) and `error_message`; a refused row never stops the
 * others.
 *
 * Arrow values become event values: numbers as they are, int64 (BigInt) as exact numbers
 * when |v| ≤ 2^53 − 1 and otherwise refused (`invalid_event` at `['event', column]`, the
 * value is not rounded into another id), strings, booleans; null is an absent field.
 */
import { Bool, Float64, Int32, RecordBatch, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { isRiskscoreError, RiskscoreError, type ExplainOptions, type ScoreOutcome } from '@riskscore/core';
import type { ServiceScorer } from '../service/scoring-service';
import { eventError, explanationJson } from './outcome-json';

/** Options of scoreTable: chunk size, explanations, and a progress callback. */
export interface ScoreTableOptions {
  /** Rows per `scoreBatch` call (default 4096). */
  readonly chunkRows?: number;
  /**
   * Explain every row (`true` or explain options): adds an `explanation` column (JSON
   * text). Each row is then scored with `safeScore(event, { explain })`, in order: as
   * slow as explaining is (KernelSHAP on a neural member costs tens of ms a row; pass
   * `{ neural: 'omit' }` to explain the trees only).
   */
  readonly explain?: ExplainOptions | true;
  /** Called after each chunk with the rows done so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What scoreTable returns: the result table (one row per input row, in order) and how many rows were scored and refused. */
export interface ScoreTableResult {
  table: Table;
  scored: number;
  refused: number;
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** A column's values for rows [start, end): a plain array (or typed array) when the column has no nulls, else read cell by cell. */
interface ColumnChunk { name: string; values: ArrayLike<unknown> | null; vector: Vector; start: number }

function chunkOf(name: string, vector: Vector, start: number, end: number): ColumnChunk {
  // toArray ignores the validity bitmap (a null would read as 0): only a column without nulls is read in one go.
  const values = vector.nullCount === 0 ? (vector.slice(start, end).toArray() as ArrayLike<unknown>) : null;
  return { name, values, vector, start };
}

/** Row `i` of the table as an event, or the refusal of a value that has no exact number. */
function eventAt(columns: ColumnChunk[], i: number): { event: Record<string, unknown> } | { error: RiskscoreError } {
  const event: Record<string, unknown> = {};
  for (const { name, values, vector, start } of columns) {
    const v = (values !== null ? values[i - start] : vector.get(i)) as unknown;
    if (v === null || v === undefined) continue;
    if (typeof v === 'bigint') {
      if (v > MAX_EXACT || v < -MAX_EXACT) {
        return { error: new RiskscoreError('invalid_event', `${name}: ${v} is an int64 beyond ±2^53 − 1, which no JavaScript number holds exactly (it would be rounded into another value); send it as a string field or keep ids below 2^53`, { path: ['event', name], details: { value: String(v) } }) };
      }
      event[name] = Number(v);
    } else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') event[name] = v;
    else if (v instanceof Date) event[name] = v.toISOString();
    else event[name] = v;
  }
  return { event };
}

/**
 * Scores every row of an Arrow table (or record batches) with `scorer` and returns the
 * results as an Arrow table in the same row order.
 *
 * @example
 * const { table: scores } = await scoreTable(scorer, tableFromIPC(readFileSync('events.arrow')));
 * scores.getChild('score')?.get(0); // 0.031
 */
export async function scoreTable(scorer: Pick<ServiceScorer, 'scoreBatch' | 'safeScore' | 'bundle'>, input: Table | readonly RecordBatch[], options: ScoreTableOptions = {}): Promise<ScoreTableResult> {
  // Duck-typed, not instanceof: the caller's apache-arrow may be another copy than ours.
  const isTable = (t: unknown): t is Table => t !== null && typeof t === 'object' && typeof (t as Table).numRows === 'number' && Array.isArray((t as Table).schema?.fields) && typeof (t as Table).getChild === 'function';
  const table = isTable(input) ? input : Array.isArray(input) && input.length > 0 && input.every((b) => b instanceof RecordBatch) ? new Table(input as RecordBatch[]) : undefined;
  if (table === undefined) throw new RiskscoreError('invalid_argument', 'scoreTable: input must be an apache-arrow Table or an array of RecordBatch', { path: ['input'] });
  if (options === null || typeof options !== 'object') throw new RiskscoreError('invalid_argument', 'scoreTable: options must be an object { chunkRows?, explain?, onProgress? }', { path: ['options'] });
  const chunkRows = options.chunkRows ?? 4096;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new RiskscoreError('invalid_argument', `scoreTable: options.chunkRows must be a positive integer, got ${String(chunkRows)}`, { path: ['options', 'chunkRows'] });
  const n = table.numRows;
  const members = scorer.bundle.manifest.members.map((m) => m.name);
  const vectors = table.schema.fields.map((f) => ({ name: f.name, vector: table.getChild(f.name)! }));
  const ok = new Array<boolean>(n);
  const score = new Array<number | null>(n).fill(null);
  const decision = new Array<string | null>(n).fill(null);
  const reasons = new Array<string | null>(n).fill(null);
  const memberScores = members.map(() => new Array<number | null>(n).fill(null));
  const errCode = new Array<string | null>(n).fill(null);
  const errPath = new Array<string | null>(n).fill(null);
  const errMessage = new Array<string | null>(n).fill(null);
  const explain = options.explain;
  const explanation = explain !== undefined ? new Array<string | null>(n).fill(null) : undefined;
  let scored = 0;
  const refuse = (i: number, e: { code: string; path: ReadonlyArray<string | number>; message: string }) => {
    ok[i] = false;
    errCode[i] = e.code;
    errPath[i] = JSON.stringify(e.path);
    errMessage[i] = e.message;
  };
  for (let start = 0; start < n; start += chunkRows) {
    const end = Math.min(n, start + chunkRows);
    const events: unknown[] = [];
    const at: number[] = [];
    const columns = vectors.map((c) => chunkOf(c.name, c.vector, start, end));
    for (let i = start; i < end; i++) {
      const r = eventAt(columns, i);
      if ('error' in r) refuse(i, r.error);
      else { events.push(r.event); at.push(i); }
    }
    let outcomes: ScoreOutcome[];
    try {
      outcomes = explain === undefined ? await scorer.scoreBatch(events) : await Promise.all(events.map((e) => scorer.safeScore(e, { explain })));
    } catch (e) {
      if (!isRiskscoreError(e)) throw e;
      throw new RiskscoreError(e.code, `scoreTable: rows ${start}–${end - 1}: ${e.message}`, { path: e.path, cause: e });
    }
    outcomes.forEach((o, k) => {
      const i = at[k];
      if (!o.ok) {
        // A batch names the event by its index in the batch: the table names it by its row.
        refuse(i, eventError(o.error));
        return;
      }
      const r = o.result;
      ok[i] = true;
      scored++;
      score[i] = r.score;
      decision[i] = r.decision;
      reasons[i] = r.reasons.map((x) => x.code).join(';');
      members.forEach((m, j) => { memberScores[j][i] = r.memberScores[m] ?? null; });
      if (explanation && r.explanation) explanation[i] = JSON.stringify(explanationJson(r.explanation));
    });
    options.onProgress?.(end, n);
  }
  const row = Array.from({ length: n }, (_, i) => i);
  const cols: Record<string, Vector> = {
    row: vectorFromArray(row, new Int32()),
    ok: vectorFromArray(ok, new Bool()),
    score: vectorFromArray(score, new Float64()),
    decision: vectorFromArray(decision, new Utf8()),
    reasons: vectorFromArray(reasons, new Utf8()),
  };
  members.forEach((m, j) => { cols[`score_${m}`] = vectorFromArray(memberScores[j], new Float64()); });
  if (explanation) cols.explanation = vectorFromArray(explanation, new Utf8());
  cols.error_code = vectorFromArray(errCode, new Utf8());
  cols.error_path = vectorFromArray(errPath, new Utf8());
  cols.error_message = vectorFromArray(errMessage, new Utf8());
  return { table: new Table(cols), scored, refused: n - scored };
}
