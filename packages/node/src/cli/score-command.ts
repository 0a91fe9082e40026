/**
 * `riskscore score --bundle DIR --input EVENTS.{jsonl,csv} [--output SCORES.{jsonl,csv}]
 * [--errors ERRORS.jsonl] [--explain] [--batch 256] [--trust-key PUB.pem ...]`: scores a
 * file of events in order (stateful features see them in file order), in batches, and
 * goes on past bad rows: a row the reader or the scorer refuses is written, with its
 * line, code, path and message, to the errors file (by default `OUTPUT.errors.jsonl`;
 * inline as `{ line, error }` lines when the scores go to stdout as JSON lines). Progress
 * on stderr once a second when stderr is a terminal; a summary line at the end always.
 *
 * CSV values are text: a cell of a number or integer field of the input schema is read
 * as a number (an empty cell: absent; text that is not a number stays text, so the
 * validator refuses it naming the field), of a boolean field `true`/`false`/`1`/`0`.
 * JSON lines are events, or `{ "event": {…}, "label": … }` records. An Arrow IPC file
 * (`.arrow`) in is scored with `scoreTable` and written as an Arrow file of results
 * (refused rows carry their error columns; int64 values past 2^53 are refused, not rounded).
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { createScorer, RiskscoreError, type InputField, type RiskscoreErrorLike, type ScoreOutcome, type ScoreResult } from '@riskscore/core';
import { createNodeBackend } from '../backend/node-backend';
import { loadBundleFromDir } from '../bundle/bundle-dir';
import { eventError, explanationJson } from '../batch/outcome-json';
import { scoreTable } from '../batch/score-table';
import { readCsvRecords } from '../io/csv-reader';
import { readFlagFile } from './read-flag-file';
import { readJsonLines } from '../io/jsonl-reader';

export const SCORE_USAGE = 'riskscore score --bundle DIR --input EVENTS.{jsonl,csv,arrow} [--output SCORES.{jsonl,csv,arrow}] [--errors ERRORS.jsonl] [--explain] [--batch 256] [--trust-key PUB.pem ...]';

type Format = 'jsonl' | 'csv' | 'arrow';
function formatOf(file: string, flag: string): Format {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.arrow' || ext === '.feather' || ext === '.ipc') return 'arrow';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  throw new RiskscoreError('invalid_argument', `${flag}: ${file} is not .jsonl, .csv or .arrow`, { path: [flag] });
}

/** A CSV row as an event: cells typed by the bundle's input schema. */
export function csvRowToEvent(values: Record<string, string>, fields: readonly InputField[]): Record<string, unknown> {
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const t = types.get(k);
    if (t === 'number' || t === 'integer') {
      if (v.trim() === '') continue;
      const n = Number(v);
      out[k] = Number.isFinite(n) ? n : v;
    } else if (t === 'boolean') {
      out[k] = v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v === '' ? undefined : v;
      if (out[k] === undefined) delete out[k];
    } else out[k] = v;
  }
  return out;
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

interface Row { line: number; record: number; event?: unknown; error?: RiskscoreErrorLike }

async function* rowsOf(file: string, format: Format, fields: readonly InputField[]): AsyncGenerator<Row> {
  const source = createReadStream(file);
  if (format === 'csv') {
    for await (const item of readCsvRecords(source, { name: file })) {
      yield item.error ? { line: item.line, record: item.record, error: item.error } : { line: item.line, record: item.record, event: csvRowToEvent(item.values, fields) };
    }
  } else {
    for await (const item of readJsonLines(source, { name: file })) {
      if (item.error) { yield { line: item.line, record: item.record, error: item.error }; continue; }
      const v = item.value as { event?: unknown };
      yield { line: item.line, record: item.record, event: 'event' in v && v.event !== null && typeof v.event === 'object' ? v.event : v };
    }
  }
}

function write(out: WriteStream | NodeJS.WriteStream, text: string): Promise<void> | void {
  if (!out.write(text)) return new Promise((r) => out.once('drain', () => r()));
}

export async function runScoreCommand(args: string[]): Promise<number> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args, strict: true,
      options: {
        bundle: { type: 'string' }, input: { type: 'string' }, events: { type: 'string' }, output: { type: 'string' }, errors: { type: 'string' },
        explain: { type: 'boolean', default: false }, batch: { type: 'string', default: '256' }, 'trust-key': { type: 'string', multiple: true },
      },
    }));
  } catch (e) {
    throw new RiskscoreError('invalid_argument', `${(e as Error).message}\nusage: ${SCORE_USAGE}`, { path: ['args'] });
  }
  const bundleDir = values.bundle as string | undefined;
  const input = (values.input ?? values.events) as string | undefined;
  if (!bundleDir || !input) throw new RiskscoreError('invalid_argument', `--bundle DIR and --input FILE are required\nusage: ${SCORE_USAGE}`, { path: [bundleDir ? '--input' : '--bundle'] });
  const batch = Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > 100_000) throw new RiskscoreError('invalid_argument', `--batch must be an integer in [1, 100000], got ${String(values.batch)}`, { path: ['--batch'] });
  const inFormat = formatOf(input, '--input');
  const outFile = values.output as string | undefined;
  const outFormat = outFile ? formatOf(outFile, '--output') : 'jsonl';
  const errFile = (values.errors as string | undefined) ?? (outFile ? `${outFile.replace(/\.(jsonl|ndjson|json|csv)$/i, '')}.errors.jsonl` : undefined);
  const publicKeys = await Promise.all(((values['trust-key'] as string[] | undefined) ?? []).map((f) => readFlagFile(f, '--trust-key')));
  // Files first, before the bundle loads: a missing input or an unwritable output is one line, not a crash mid-run.
  try {
    if (!(await stat(input)).isFile()) throw new Error('not a regular file');
  } catch (e) {
    throw new RiskscoreError('invalid_argument', `the input ${input} cannot be read (${(e as Error).message.slice(0, 120)})`, { path: ['input', input] });
  }
  for (const [file, what] of [[outFile, 'output'], [errFile, 'errors']] as const) {
    if (file === undefined) continue;
    try { await writeFile(file, ''); } catch (e) {
      throw new RiskscoreError('invalid_argument', `the ${what} file ${file} cannot be written (${(e as Error).message.slice(0, 120)})`, { path: [what, file] });
    }
  }
  if ((inFormat === 'arrow') !== (outFormat === 'arrow') || (inFormat === 'arrow' && !outFile)) {
    throw new RiskscoreError('invalid_argument', 'an Arrow input is scored into an Arrow output file (--output SCORES.arrow), and only an Arrow input is', { path: ['--output'] });
  }
  const bundle = await loadBundleFromDir(bundleDir, publicKeys.length ? { trust: { publicKeys } } : {});
  const scorer = await createScorer(bundle, { backend: createNodeBackend() });
  const explain = values.explain === true;
  if (inFormat === 'arrow') {
    try {
      let table;
      try { table = tableFromIPC(await readFile(input)); } catch (e) {
        throw new RiskscoreError('invalid_argument', `--input: ${input} is not an Arrow IPC file (${(e as Error).message.slice(0, 120)})`, { path: ['--input'] });
      }
      const t0 = performance.now();
      const r = await scoreTable(scorer, table, { chunkRows: batch, ...(explain ? { explain: true as const } : {}), onProgress: (done, total) => { if (process.stderr.isTTY) process.stderr.write(`\rscored ${done} of ${total}`); } });
      await writeFile(outFile!, tableToIPC(r.table, 'file'));
      process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}scored ${r.scored}, refused ${r.refused} (${Math.round(table.numRows / ((performance.now() - t0) / 1000))} rows/s); results in ${outFile}\n`);
    } finally {
      await scorer.close();
    }
    return 0;
  }
  const members = bundle.manifest.members.map((m) => m.name);
  const out = outFile ? createWriteStream(outFile) : process.stdout;
  const errOut = errFile ? createWriteStream(errFile) : undefined;
  if (outFormat === 'csv') await write(out, `line,record,model,score,decision,reasons,${members.map((m) => `score_${m}`).join(',')}\n`);

  let scored = 0;
  let refused = 0;
  const t0 = performance.now();
  let lastProgress = t0;
  const progress = (final: boolean) => {
    const s = (performance.now() - t0) / 1000;
    const text = `scored ${scored}, refused ${refused} (${s > 0 ? Math.round((scored + refused) / s) : 0} rows/s)`;
    if (final) process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}${text}${errFile && refused > 0 ? `; refused rows in ${errFile}` : ''}\n`);
    else if (process.stderr.isTTY) process.stderr.write(`\r${text}`);
  };
  const refuse = async (row: Row, e: { code: string; path: ReadonlyArray<string | number>; message: string }) => {
    refused++;
    const rec = { line: row.line, record: row.record, code: e.code, path: e.path, message: e.message };
    if (errOut) await write(errOut, `${JSON.stringify(rec)}\n`);
    else await write(out, `${JSON.stringify({ line: row.line, record: row.record, error: { code: e.code, path: e.path, message: e.message } })}\n`);
  };
  const emit = async (row: Row, r: ScoreResult) => {
    scored++;
    if (outFormat === 'csv') {
      await write(out, `${[row.line, row.record, r.model, r.score, r.decision, r.reasons.map((x) => x.code).join(';'), ...members.map((m) => r.memberScores[m])].map(csvCell).join(',')}\n`);
    } else {
      const o: Record<string, unknown> = { line: row.line, record: row.record, model: r.model, score: r.score, decision: r.decision, reasons: r.reasons, memberScores: r.memberScores };
      if (r.duplicate) o.duplicate = true;
      if (r.explanation) o.explanation = explanationJson(r.explanation);
      await write(out, `${JSON.stringify(o)}\n`);
    }
  };
  const flush = async (rows: Row[]) => {
    if (rows.length === 0) return;
    const outcomes: ScoreOutcome[] = explain
      ? await Promise.all(rows.map((r) => scorer.safeScore(r.event, { explain: true })))
      : await scorer.scoreBatch(rows.map((r) => r.event));
    for (let i = 0; i < rows.length; i++) {
      const o = outcomes[i];
      if (o.ok) await emit(rows[i], o.result);
      // A batch's error names the event by its index in the batch: the errors file names it by line instead.
      else await refuse(rows[i], eventError(o.error));
    }
    const now = performance.now();
    if (now - lastProgress > 1000) { lastProgress = now; progress(false); }
  };
  try {
    let pending: Row[] = [];
    for await (const row of rowsOf(input, inFormat, bundle.manifest.input.fields)) {
      if (row.error) {
        // Keep the file's order: what is pending is scored before the bad row is written.
        await flush(pending);
        pending = [];
        await refuse(row, row.error);
        continue;
      }
      pending.push(row);
      if (pending.length >= batch) { await flush(pending); pending = []; }
    }
    await flush(pending);
  } finally {
    await scorer.close();
    if (out !== process.stdout) await new Promise<void>((r) => (out as WriteStream).end(() => r()));
    if (errOut) await new Promise<void>((r) => errOut.end(() => r()));
    progress(true);
  }
  return 0;
}
