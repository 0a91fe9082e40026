// `riskscore score` over a CSV and a JSON-lines file of the Taiwan demo events, with bad
// rows among them: every good row's score equals scoreBatch on the same events read
// directly, and every bad row (the reader's and the scorer's refusals) is in the errors
// file with its line, code and path, in file order, while scoring goes on.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Table, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { createScorer } from '@riskscore/core';
import { describe, expect, it, vi } from 'vitest';
import { firstBlankField, TAIWAN_BUNDLE, TAIWAN_DIR } from '../../test/taiwan';
import { createNodeBackend } from '../backend/node-backend';
import { loadBundleFromDir } from '../bundle/bundle-dir';
import { parseCsv } from '../io/csv-reader';
import { runScoreCommand } from './score-command';

const tmp = mkdtempSync(join(tmpdir(), 'riskscore-score-'));
const events: Array<Record<string, unknown>> = readFileSync(join(TAIWAN_DIR, 'demo-events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).event);
const lines = (f: string) => readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

async function run(args: string[]): Promise<void> {
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await runScoreCommand(args)).toBe(0);
  } finally {
    err.mockRestore();
  }
}

describe('riskscore score', async () => {
  const bundle = await loadBundleFromDir(TAIWAN_BUNDLE);
  const fields = bundle.manifest.input.fields.map((f) => f.name);
  // The reference: the same events scored directly, one batch.
  const scorer = await createScorer(bundle, { backend: createNodeBackend() });
  const direct = await scorer.scoreBatch(events);
  await scorer.close();

  it('a CSV with quoted cells, a CRLF, a BOM and bad rows: scores equal scoreBatch, bad rows in the errors file', async () => {
    const cols = ['id', ...fields];
    const csvLines = events.map((e) => cols.map((c) => (e[c] === undefined ? '' : c === 'id' ? `"${String(e[c])}"` : String(e[c]))).join(','));
    // Bad rows the reader refuses (a field short, a stray quote) and one the scorer refuses (AGE out of range).
    const bad = [`"short",1,2`, `"stray",1"0,2`, cols.map((c) => (c === 'id' ? 'old' : c === 'AGE' ? '150' : String(events[0][c]))).join(',')];
    const body = [csvLines.slice(0, 100).join('\r\n'), ...bad, ...csvLines.slice(100)].join('\n');
    const input = join(tmp, 'in.csv');
    writeFileSync(input, `\uFEFF${cols.join(',')}\n${body}\n`);
    const output = join(tmp, 'out.csv');
    await run(['--bundle', TAIWAN_BUNDLE, '--input', input, '--output', output, '--batch', '64']);
    const { header, items } = parseCsv(readFileSync(output, 'utf8'));
    expect(header).toEqual(['line', 'record', 'model', 'score', 'decision', 'reasons', 'score_xgboost', 'score_mlp', 'score_ft_transformer']);
    const scored = items.map((it) => it.values!);
    const expected = direct.flatMap((o, i) => (o.ok ? [{ i, r: o.result }] : []));
    expect(scored.length).toBe(expected.length);
    scored.forEach((row, k) => {
      const { i, r } = expected[k];
      // Lines: the header is line 1; the three bad rows sit after event 99.
      expect(Number(row.line)).toBe(i + 2 + (i >= 100 ? 3 : 0));
      expect(Number(row.score)).toBe(r.score);
      expect(row.decision).toBe(r.decision);
      expect(row.reasons).toBe(r.reasons.map((x) => x.code).join(';'));
      expect(Number(row.score_mlp)).toBe(r.memberScores.mlp);
    });
    const errors = lines(join(tmp, 'out.errors.jsonl'));
    const blanks = events.flatMap((e, i) => {
      const f = firstBlankField(bundle, e);
      return f === undefined ? [] : [{ line: i + 2 + (i >= 100 ? 3 : 0), code: 'invalid_event', path: ['event', f] }];
    });
    const wanted = [...blanks, { line: 102, code: 'invalid_event', path: ['line', 102] }, { line: 103, code: 'invalid_event' }, { line: 104, code: 'invalid_event', path: ['event', 'AGE'] }]
      .sort((a, b) => a.line - b.line);
    expect(errors.length).toBe(wanted.length);
    errors.forEach((e, k) => expect(e).toMatchObject(wanted[k]));
    expect(errors.every((e) => typeof e.message === 'string' && e.message.length > 10)).toBe(true);
  });

  it('JSON lines in, JSON lines out (with a broken line), and the explained scores', async () => {
    const input = join(tmp, 'in.jsonl');
    const src = readFileSync(join(TAIWAN_DIR, 'demo-events.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(input, [...src.slice(0, 10), '{"event": {', ...src.slice(10, 20)].join('\n'));
    const output = join(tmp, 'out.jsonl');
    await run(['--bundle', TAIWAN_BUNDLE, '--input', input, '--output', output, '--errors', join(tmp, 'bad.jsonl')]);
    const out = lines(output);
    const ok = direct.slice(0, 20).flatMap((o) => (o.ok ? [o.result] : []));
    expect(out.map((o) => o.score)).toEqual(ok.map((r) => r.score));
    const bad = lines(join(tmp, 'bad.jsonl'));
    expect(bad.find((b) => b.line === 11)).toMatchObject({ code: 'invalid_event', path: ['line', 11] });
    await run(['--bundle', TAIWAN_BUNDLE, '--input', input, '--output', join(tmp, 'ex.jsonl'), '--explain']);
    const ex = lines(join(tmp, 'ex.jsonl'));
    expect(ex.map((o) => o.score)).toEqual(ok.map((r) => r.score));
    expect(ex[0].explanation.members.xgboost.length).toBe(fields.length + 1);
  }, 120_000);

  it('an Arrow file in, an Arrow file of results out', async () => {
    const cols: Record<string, unknown> = {};
    for (const f of fields) cols[f] = vectorFromArray(events.map((e) => (e[f] === undefined ? null : (e[f] as number))), new Float64());
    const input = join(tmp, 'in.arrow');
    writeFileSync(input, tableToIPC(new Table(cols as never), 'file'));
    const output = join(tmp, 'out.arrow');
    await run(['--bundle', TAIWAN_BUNDLE, '--input', input, '--output', output]);
    const out = tableFromIPC(readFileSync(output));
    expect(out.numRows).toBe(events.length);
    direct.forEach((o, i) => {
      expect(out.getChild('ok')!.get(i)).toBe(o.ok);
      if (o.ok) expect(out.getChild('score')!.get(i)).toBe(o.result.score);
      else expect(out.getChild('error_code')!.get(i)).toBe(o.error.code);
    });
    await expect(runScoreCommand(['--bundle', TAIWAN_BUNDLE, '--input', input, '--output', join(tmp, 'x.csv')])).rejects.toMatchObject({ code: 'invalid_argument', path: ['--output'] });
  });

  it('refuses missing flags and unknown formats', async () => {
    await expect(runScoreCommand(['--bundle', TAIWAN_BUNDLE])).rejects.toMatchObject({ code: 'invalid_argument', path: ['--input'] });
    await expect(runScoreCommand(['--bundle', TAIWAN_BUNDLE, '--input', 'x.parquet'])).rejects.toMatchObject({ code: 'invalid_argument', path: ['--input'] });
    await expect(runScoreCommand(['--bundle', TAIWAN_BUNDLE, '--input', 'x.csv', '--batch', '0'])).rejects.toMatchObject({ code: 'invalid_argument', path: ['--batch'] });
  });
});
