// Refusals at load: each broken bundle fails with one typed error naming the field,
// and nothing is returned half-built.
import { describe, expect, it } from 'vitest';
import { exampleBundleFiles } from '../../../../testing/example-bundles';
import { RiskscoreError } from '../errors';
import { createScorer } from '../scorer/create-scorer';
import { sha256Hex } from '../util/sha256';
import { loadBundle } from './load-bundle';
import { manifestJsonSchema } from './manifest';


const files = (): Record<string, Uint8Array> => exampleBundleFiles();
function manifestOf(f: Record<string, Uint8Array>) {
  return JSON.parse(new TextDecoder().decode(f['manifest.json']));
}
function withManifest(f: Record<string, Uint8Array>, m: unknown) {
  return { ...f, 'manifest.json': new TextEncoder().encode(JSON.stringify(m)) };
}
async function refusal(f: Record<string, Uint8Array>): Promise<RiskscoreError> {
  try {
    await loadBundle(f);
  } catch (e) {
    expect(RiskscoreError.isInstance(e)).toBe(true);
    return e as RiskscoreError;
  }
  throw new Error('the bundle was accepted');
}

describe('loadBundle', () => {
  it('loads the intact Taiwan bundle', async () => {
    const b = await loadBundle(files());
    expect(b.id).toBe('taiwan-credit@1.0.0');
    expect(b.members.map((m) => m.spec.kind)).toEqual(['trees', 'neural', 'neural']);
    expect(b.background!.length).toBe(100 * 23);
  });

  it('refuses a file whose sha256 disagrees', async () => {
    const f = files();
    const mlp = f['mlp.onnx'].slice();
    mlp[1000] ^= 1;
    const e = await refusal({ ...f, 'mlp.onnx': mlp });
    expect(e.code).toBe('bundle_integrity');
    expect(e.path).toEqual(['members', 1, 'sha256']);
    expect(e.details.actual).toBe(sha256Hex(mlp));
  });

  it('refuses a truncated ONNX file even when the manifest hash matches it', async () => {
    const f = files();
    const cut = f['xgboost.onnx'].slice(0, 300_000);
    const m = manifestOf(f);
    m.members[0].sha256 = sha256Hex(cut);
    const e = await refusal(withManifest({ ...f, 'xgboost.onnx': cut }, m));
    expect(e.code).toBe('invalid_onnx');
    expect(e.path).toEqual(['members', 0, 'file']);
    expect(e.message).toMatch(/truncated|corrupt/);
  });

  it('refuses a member whose input width disagrees with the feature order', async () => {
    const f = files();
    const m = manifestOf(f);
    m.features.order = m.features.order.slice(0, 22);
    m.members.forEach((x: { input: { width: number } }) => (x.input.width = 22));
    const e = await refusal(withManifest(f, m));
    expect(e.code).toBe('model_shape_mismatch');
    expect(e.path).toEqual(['members', 0, 'input', 'width']);
    expect(e.details).toMatchObject({ expected: 22, actual: 23 });
  });

  it('refuses a manifest that fails the schema, naming the field', async () => {
    const f = files();
    const m = manifestOf(f);
    m.version = 'v1';
    let e = await refusal(withManifest(f, m));
    expect(e.code).toBe('invalid_manifest');
    expect(e.path).toEqual(['version']);
    const m2 = manifestOf(f);
    m2.members[2].weight = 'heavy';
    e = await refusal(withManifest(f, m2));
    expect(e.path).toEqual(['members', 2, 'weight']);
    e = await refusal({ ...f, 'manifest.json': new TextEncoder().encode('{"name": ') });
    expect(e.code).toBe('invalid_manifest');
  });

  it('refuses a missing file', async () => {
    const f = files();
    delete f['ft_transformer.onnx'];
    const e = await refusal(f);
    expect(e.code).toBe('bundle_integrity');
    expect(e.path).toEqual(['members', 2, 'file']);
  });

  it('exports the manifest schema as JSON Schema', () => {
    const s = manifestJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['name', 'version', 'members', 'calibration', 'decision']));
    expect(s.required).toEqual(expect.arrayContaining(['name', 'version', 'members']));
  });
});

/** A complete application (golden row 0): the bundle requires all 23 fields. */
const APPLICANT: Readonly<Record<string, number>> = {
  LIMIT_BAL: 70000, SEX: 1, EDUCATION: 2, MARRIAGE: 2, AGE: 30,
  PAY_0: 1, PAY_2: 2, PAY_3: 2, PAY_4: 0, PAY_5: 0, PAY_6: 2,
  BILL_AMT1: 65802, BILL_AMT2: 67369, BILL_AMT3: 65701, BILL_AMT4: 66782, BILL_AMT5: 36137, BILL_AMT6: 36894,
  PAY_AMT1: 3200, PAY_AMT2: 0, PAY_AMT3: 3000, PAY_AMT4: 3000, PAY_AMT5: 1500, PAY_AMT6: 0,
};

describe('scoring refuses bad events', () => {
  it('names the field and expectation, for single events and batches', async () => {
    const b = await loadBundle(files());
    // Trees only, run natively: no backend needed for this check.
    const treesOnly = { ...b, members: b.members.slice(0, 1), manifest: { ...b.manifest, members: b.manifest.members.slice(0, 1) } };
    const s = await createScorer(treesOnly);
    // One bad field in an otherwise complete application: the refusal names that field.
    await expect(s.score({ ...APPLICANT, AGE: 'thirty' })).rejects.toMatchObject({ code: 'invalid_event', path: ['event', 'AGE'] });
    await expect(s.score({ ...APPLICANT, AGE: 12 })).rejects.toMatchObject({ code: 'invalid_event', path: ['event', 'AGE'] });
    await expect(s.score({ ...APPLICANT, AGE: 12 })).rejects.toThrow(/AGE: expected a number in \[18, 100\]/);
    await expect(s.score({ ...APPLICANT, LIMIT_BAL: Number.NaN })).rejects.toMatchObject({ path: ['event', 'LIMIT_BAL'] });
    await expect(s.score({ ...APPLICANT, PAY_0: 1.5 })).rejects.toThrow(/PAY_0: expected an integer/);
    await expect(s.score(null)).rejects.toMatchObject({ code: 'invalid_event', path: ['event'] });
    // Every field is required: a blank one is refused, and so is an empty event.
    const { PAY_0: _, ...noPay0 } = APPLICANT;
    await expect(s.score(noPay0)).rejects.toMatchObject({ code: 'invalid_event', path: ['event', 'PAY_0'], details: { expected: 'a value (the field is required)' } });
    await expect(s.score({ ...APPLICANT, PAY_0: null })).rejects.toThrow(/PAY_0: expected a value \(the field is required\)/);
    await expect(s.score({})).rejects.toMatchObject({ code: 'invalid_event', path: ['event', 'LIMIT_BAL'] });
    const batch = await s.scoreBatch([APPLICANT, { ...APPLICANT, SEX: 3 }, noPay0]);
    expect(batch[0].ok).toBe(true);
    expect(batch[1]).toMatchObject({ ok: false, error: { code: 'invalid_event', path: ['events', 1, 'SEX'] } });
    expect(batch[2]).toMatchObject({ ok: false, error: { code: 'invalid_event', path: ['events', 2, 'PAY_0'] } });
    const ok = await s.score({ ...APPLICANT, AGE: 35, LIMIT_BAL: 50000 });
    expect(ok.score).toBeGreaterThan(0);
    expect(ok.score).toBeLessThan(1);
  });

  it('a neural member without a backend is refused at creation', async () => {
    const b = await loadBundle(files());
    await expect(createScorer(b)).rejects.toMatchObject({ code: 'backend_error', path: ['members', 1] });
  });
});
