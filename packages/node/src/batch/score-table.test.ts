// scoreTable against scoreBatch on the same events: the Taiwan bundle from a table with
// nulls (the refused rows named by field), the stateful fraud bundle from simulated
// transactions with int64 ids (the same scores, and the same entity state after), int64
// ids past 2^53 refused instead of rounded, and record batches as input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Int64, RecordBatch, tableFromArrays, tableFromIPC, tableToIPC, vectorFromArray, Table, Float64, Utf8 } from 'apache-arrow';
import { createScorer, specFeatureStep } from '@riskscore/core';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../testing/shared-data';
import { fraudStream } from '../../test/fraud-stream';
import { TAIWAN_BUNDLE, TAIWAN_DIR } from '../../test/taiwan';
import { createNodeBackend } from '../backend/node-backend';
import { loadBundleFromDir } from '../bundle/bundle-dir';
import { scoreTable } from './score-table';

const FRAUD = join(REPO_ROOT, 'examples', 'fdh-fraud', 'bundle-trees-mlp');

describe('scoreTable', () => {
  it('Taiwan: a table with nulls scores as scoreBatch does, refused rows named by field, through IPC bytes too', async () => {
    const bundle = await loadBundleFromDir(TAIWAN_BUNDLE);
    const events: Array<Record<string, unknown>> = readFileSync(join(TAIWAN_DIR, 'demo-events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).event);
    const fields = bundle.manifest.input.fields.map((f) => f.name);
    const cols: Record<string, unknown> = { id: vectorFromArray(events.map((e) => e.id as string), new Utf8()) };
    for (const f of fields) cols[f] = vectorFromArray(events.map((e) => (e[f] === undefined ? null : (e[f] as number))), new Float64());
    const table = tableFromIPC(tableToIPC(new Table(cols as never)));
    const a = await createScorer(bundle, { backend: createNodeBackend() });
    const b = await createScorer(bundle, { backend: createNodeBackend() });
    const { table: out, scored, refused } = await scoreTable(a, table, { chunkRows: 64 });
    const ref = await b.scoreBatch(events);
    await a.close();
    await b.close();
    expect(out.numRows).toBe(events.length);
    expect(out.schema.fields.map((f) => f.name)).toEqual(['row', 'ok', 'score', 'decision', 'reasons', 'score_xgboost', 'score_mlp', 'score_ft_transformer', 'error_code', 'error_path', 'error_message']);
    expect(scored + refused).toBe(events.length);
    expect(refused).toBe(ref.filter((o) => !o.ok).length);
    expect(refused).toBeGreaterThan(0);
    ref.forEach((o, i) => {
      expect(out.getChild('ok')!.get(i)).toBe(o.ok);
      if (o.ok) {
        expect(out.getChild('score')!.get(i)).toBe(o.result.score);
        expect(out.getChild('decision')!.get(i)).toBe(o.result.decision);
        expect(out.getChild('score_mlp')!.get(i)).toBe(o.result.memberScores.mlp);
        expect(out.getChild('error_code')!.get(i)).toBeNull();
      } else {
        expect(out.getChild('score')!.get(i)).toBeNull();
        expect(out.getChild('error_code')!.get(i)).toBe(o.error.code);
        expect(JSON.parse(out.getChild('error_path')!.get(i))).toEqual(['event', ...o.error.path.slice(2)]);
      }
    });
  });

  it('fraud (stateful features): the same scores and the same entity state as scoreBatch; int64 ids past 2^53 refused, not rounded', async () => {
    const bundle = await loadBundleFromDir(FRAUD);
    const events = await fraudStream({ customers: 60, terminals: 120, seed: 11, startDate: '2018-04-01', days: 3 });
    const n = events.length;
    const ids = BigInt64Array.from(events, (e) => BigInt(e.TRANSACTION_ID));
    ids[7] = 2n ** 60n; // no double holds it: refused
    ids[8] = BigInt(Number.MAX_SAFE_INTEGER); // the largest exact id: scored
    const table = tableFromArrays({
      TRANSACTION_ID: ids,
      TX_DATETIME: events.map((e) => e.TX_DATETIME),
      CUSTOMER_ID: BigInt64Array.from(events, (e) => BigInt(e.CUSTOMER_ID)),
      TERMINAL_ID: BigInt64Array.from(events, (e) => BigInt(e.TERMINAL_ID)),
      TX_AMOUNT: Float64Array.from(events, (e) => e.TX_AMOUNT),
    });
    expect(table.getChild('TRANSACTION_ID')!.type).toBeInstanceOf(Int64);
    const mk = async () => createScorer(bundle, { backend: createNodeBackend(), features: specFeatureStep(bundle.manifest, { clock: null }) });
    const a = await mk();
    const b = await mk();
    const { table: out } = await scoreTable(a, table.batches.length > 1 ? table : new Table([...table.batches] as RecordBatch[]), { chunkRows: 100 });
    const expected = events.map((e, i) => (i === 8 ? { ...e, TRANSACTION_ID: Number.MAX_SAFE_INTEGER } : e)).filter((_, i) => i !== 7);
    const ref = await b.scoreBatch(expected);
    expect(out.getChild('ok')!.get(7)).toBe(false);
    expect(out.getChild('error_code')!.get(7)).toBe('invalid_event');
    expect(JSON.parse(out.getChild('error_path')!.get(7))).toEqual(['event', 'TRANSACTION_ID']);
    expect(out.getChild('error_message')!.get(7)).toMatch(/beyond ±2\^53/);
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (i === 7) continue;
      const o = ref[k++];
      expect(out.getChild('ok')!.get(i), `row ${i}`).toBe(o.ok);
      // onnxruntime's float32 kernels round in the last bits differently with the batch size (chunks of 100 here, one batch there).
      if (o.ok) expect(Math.abs(out.getChild('score')!.get(i) - o.result.score)).toBeLessThanOrEqual(1e-6 * o.result.score + 1e-12);
    }
    // The entity state moved the same way: a probe event on a busy card scores the same.
    const busy = events[n - 1];
    const probe = { ...busy, TRANSACTION_ID: 9_000_000, TX_DATETIME: busy.TX_DATETIME.replace(/\d\d$/, '59') };
    const [pa, pb] = [await a.score(probe), await b.score(probe)];
    expect(pa.score).toBe(pb.score);
    expect(pa.memberScores).toEqual(pb.memberScores);
    await a.close();
    await b.close();
  }, 60_000);

  it('explain: an explanation column equal to safeScore(event, { explain }) row by row', async () => {
    const bundle = await loadBundleFromDir(TAIWAN_BUNDLE);
    const events: Array<Record<string, unknown>> = readFileSync(join(TAIWAN_DIR, 'demo-events.jsonl'), 'utf8').trim().split('\n').slice(0, 12).map((l) => JSON.parse(l).event); // 7 of them have a blank field (refused)
    const fields = bundle.manifest.input.fields.map((f) => f.name);
    const cols: Record<string, unknown> = {};
    for (const f of fields) cols[f] = vectorFromArray(events.map((e) => (e[f] === undefined ? null : (e[f] as number))), new Float64());
    const a = await createScorer(bundle, { backend: createNodeBackend() });
    const b = await createScorer(bundle, { backend: createNodeBackend() });
    const { table: out } = await scoreTable(a, new Table(cols as never), { explain: { neural: 'omit' } });
    let explained = 0;
    for (let i = 0; i < events.length; i++) {
      const o = await b.safeScore(events[i], { explain: { neural: 'omit' } });
      const text = out.getChild('explanation')!.get(i);
      if (!o.ok) { expect(text).toBeNull(); continue; }
      const e = JSON.parse(text);
      expect(e.fields).toEqual(o.result.explanation!.fields);
      expect(e.base).toBe(o.result.explanation!.base);
      expect(e.fields.length).toBeGreaterThan(0);
      expect(e.members.xgboost).toEqual(Array.from(o.result.explanation!.members.xgboost));
      explained++;
    }
    expect(explained).toBeGreaterThanOrEqual(5); // 5 of the first 12 demo events are complete
    await a.close();
    await b.close();
  });

  it('refuses input that is not a table, and a bad chunk size', async () => {
    const bundle = await loadBundleFromDir(TAIWAN_BUNDLE);
    const s = { bundle, scoreBatch: async () => [], safeScore: async () => ({ ok: false }) as never };
    await expect(scoreTable(s, [{}] as never)).rejects.toMatchObject({ code: 'invalid_argument', path: ['input'] });
    await expect(scoreTable(s, null as never)).rejects.toMatchObject({ code: 'invalid_argument', path: ['input'] });
    await expect(scoreTable(s, tableFromArrays({ a: Float64Array.from([1]) }), null as never)).rejects.toMatchObject({ code: 'invalid_argument', path: ['options'] });
    await expect(scoreTable(s, tableFromArrays({ a: Float64Array.from([1]) }), { chunkRows: 0 })).rejects.toMatchObject({ code: 'invalid_argument', path: ['options', 'chunkRows'] });
  });
});
