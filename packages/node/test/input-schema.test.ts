// Inputs that cannot poison (issue #12 item 3), on the real example bundles: the Taiwan
// bundle refuses events that are not plain objects, inherited fields, missing required
// fields and unknown category codes; a missing-value sentinel reads as missing; the
// fraud bundles refuse a 1e20 card payment.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEventValidator, createScorer, loadBundle, RiskscoreError, type EventValidator, type LoadedBundle, type RiskscoreErrorLike, type Scorer } from '@riskscore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../testing/shared-data';
import { createNodeBackend } from '../src/backend/node-backend';
import { loadBundleFromDir } from '../src/bundle/bundle-dir';
import { loadTaiwanGoldens, TAIWAN_BUNDLE } from './taiwan';

const g = loadTaiwanGoldens();
/** A golden test row with every field present (the goldens also hold rows with NaN cells). */
const complete = g.events[g.rows.findIndex((r) => r.every((v) => v !== null))];

async function refusal(p: Promise<unknown>): Promise<RiskscoreErrorLike> {
  try {
    await p;
  } catch (e) {
    if (RiskscoreError.isInstance(e)) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

/** The bundle's files with its manifest.json changed by `edit` (the manifest itself is not hashed). */
function bundleFilesWith(dir: string, edit: (m: any) => void): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const f of readdirSync(dir)) files[f] = new Uint8Array(readFileSync(join(dir, f)));
  const m = JSON.parse(new TextDecoder().decode(files['manifest.json']));
  edit(m);
  files['manifest.json'] = new TextEncoder().encode(JSON.stringify(m));
  return files;
}

describe('Taiwan bundle input schema', () => {
  let bundle: LoadedBundle;
  let scorer: Scorer;
  beforeAll(async () => {
    bundle = await loadBundleFromDir(TAIWAN_BUNDLE);
    scorer = await createScorer(bundle, { backend: createNodeBackend() });
  });
  afterAll(() => scorer.close());

  it('declares every field required, bounded, and its categoricals with labels', () => {
    for (const f of bundle.manifest.input.fields) {
      expect(f.required).toBe(true);
      expect(Number.isFinite(f.min) && Number.isFinite(f.max)).toBe(true);
    }
    const cats = Object.fromEntries(bundle.manifest.input.fields.filter((f) => f.categories).map((f) => [f.name, f.categories]));
    expect(Object.keys(cats)).toEqual(['SEX', 'EDUCATION', 'MARRIAGE', 'PAY_0', 'PAY_2', 'PAY_3', 'PAY_4', 'PAY_5', 'PAY_6']);
    expect(bundle.manifest.input.unknownFields).toBe('ignore');
  });

  it('scores a complete application', async () => {
    const r = await scorer.score({ ...complete });
    expect(r.score).toBeGreaterThan(0);
    expect(r.score).toBeLessThan(1);
  });

  it('refuses an empty event, naming the first required field', async () => {
    const e = await refusal(scorer.score({}));
    expect(e.code).toBe('invalid_event');
    expect(e.path).toEqual(['event', 'LIMIT_BAL']);
  });

  it.each([
    ['a Map', () => new Map(Object.entries(complete))],
    ['a Date', () => new Date()],
    ['an object inheriting PAY_0 = 8', () => Object.create({ PAY_0: 8 })],
    ['an object inheriting a whole application', () => Object.create({ ...complete })],
    ['an array', () => [complete]],
    ['null', () => null],
    ['a string', () => JSON.stringify(complete)],
  ])('refuses %s at [event]', async (_, make) => {
    const e = await refusal(scorer.score(make() as Record<string, unknown>));
    expect(e.code).toBe('invalid_event');
    expect(e.path).toEqual(['event']);
  });

  it('refuses an unknown category code, naming the field and the codes', async () => {
    const e = await refusal(scorer.score({ ...complete, SEX: 3 }));
    expect(e).toMatchObject({ code: 'invalid_event', path: ['event', 'SEX'], details: { allowed: [1, 2] } });
    expect(e.message).toMatch(/1 \(male\), 2 \(female\)/);
    expect((await refusal(scorer.score({ ...complete, PAY_0: 10 }))).path).toEqual(['event', 'PAY_0']);
    expect((await refusal(scorer.score({ ...complete, EDUCATION: 7 }))).path).toEqual(['event', 'EDUCATION']);
  });

  it('refuses implausible amounts and ages', async () => {
    expect((await refusal(scorer.score({ ...complete, LIMIT_BAL: 1e20 }))).path).toEqual(['event', 'LIMIT_BAL']);
    expect((await refusal(scorer.score({ ...complete, BILL_AMT1: -5e6 }))).path).toEqual(['event', 'BILL_AMT1']);
    expect((await refusal(scorer.score({ ...complete, AGE: 12 }))).path).toEqual(['event', 'AGE']);
  });

  it("refuses an unknown field with unknownFields: 'refuse'", () => {
    const strict: EventValidator = createEventValidator({ ...bundle.manifest.input, unknownFields: 'refuse' });
    expect(() => strict.validate({ ...complete })).not.toThrow();
    let error: unknown;
    try { strict.validate({ ...complete, PAY_1: 0 }); } catch (e) { error = e; }
    expect(error).toMatchObject({ code: 'invalid_event', path: ['event', 'PAY_1'] });
  });

  it('reads a missing-value sentinel as missing: NaN when optional, refused when required', async () => {
    const optional = await loadBundle(bundleFilesWith(TAIWAN_BUNDLE, (m) => {
      Object.assign(m.input.fields.find((f: { name: string }) => f.name === 'PAY_AMT6'), { required: false, missing: [99999999] });
    }));
    const s = await createScorer(optional, { backend: createNodeBackend() });
    const { PAY_AMT6: _, ...without } = complete;
    const withSentinel = await s.score({ ...complete, PAY_AMT6: 99999999 });
    const absent = await s.score(without);
    expect(withSentinel.score).toBe(absent.score);
    expect(withSentinel.score).not.toBe((await s.score({ ...complete })).score);
    await s.close();

    const required = await loadBundle(bundleFilesWith(TAIWAN_BUNDLE, (m) => {
      m.input.fields.find((f: { name: string }) => f.name === 'PAY_AMT6').missing = [99999999];
    }));
    const r = await createScorer(required, { backend: createNodeBackend() });
    const e = await refusal(r.score({ ...complete, PAY_AMT6: 99999999 }));
    expect(e).toMatchObject({ code: 'invalid_event', path: ['event', 'PAY_AMT6'] });
    await r.close();
  });
});

describe('fraud bundles input schema', () => {
  const event = { TRANSACTION_ID: 1, TX_DATETIME: '2018-08-08 10:00:00', CUSTOMER_ID: 7, TERMINAL_ID: 42, TX_AMOUNT: 57.16 };

  it.each(['bundle', 'bundle-baseline', 'bundle-trees-mlp'])('%s refuses TX_AMOUNT 1e20 and ids past 2^53', async (dir) => {
    const bundle = await loadBundleFromDir(join(REPO_ROOT, 'examples', 'fdh-fraud', dir));
    const v: EventValidator = createEventValidator(bundle.manifest.input);
    expect(() => v.validate({ ...event })).not.toThrow();
    for (const [field, value] of [['TX_AMOUNT', 1e20], ['TX_AMOUNT', 1_000_001], ['TX_AMOUNT', -1], ['CUSTOMER_ID', 2 ** 53], ['TERMINAL_ID', 1e300]] as const) {
      let error: unknown;
      try { v.validate({ ...event, [field]: value }); } catch (e) { error = e; }
      expect(error).toMatchObject({ code: 'invalid_event', path: ['event', field] });
    }
  });

  it('the scorer refuses a 1e20 payment before computing any feature', async () => {
    const scorer = await createScorer(await loadBundleFromDir(join(REPO_ROOT, 'examples', 'fdh-fraud', 'bundle-baseline')));
    const e = await refusal(scorer.score({ ...event, TX_AMOUNT: 1e20 }));
    expect(e).toMatchObject({ code: 'invalid_event', path: ['event', 'TX_AMOUNT'] });
    await scorer.close();
  });
});
