// The mistakes a user makes building a bundle, each once accepted silently (issue #13),
// now refused at load with a typed error naming the member, the field and what was
// expected; and the size limits that keep a hostile bundle from exhausting the heap.
import { describe, expect, it } from 'vitest';
import { exampleBundleFiles } from '../../../../testing/example-bundles';
import { RiskscoreError } from '../errors';
import { onnxModelFromBytes } from '../onnx/model';
import { onnxModelToBytes } from '../onnx/write-model';
import { sha256Hex } from '../util/sha256';
import { DEFAULT_BUNDLE_LIMITS } from './bundle-limits';
import { loadBundle, type LoadBundleOptions } from './load-bundle';

type Files = Record<string, Uint8Array>;

const files = (): Record<string, Uint8Array> => exampleBundleFiles();
const manifestOf = (f: Files) => JSON.parse(new TextDecoder().decode(f['manifest.json']));
const withManifest = (f: Files, m: unknown): Files => ({ ...f, 'manifest.json': new TextEncoder().encode(JSON.stringify(m)) });
/** Replaces a member's file and its hash. */
function withMember(f: Files, i: number, bytes: Uint8Array, edit: (m: Record<string, any>) => void = () => {}): Files {
  const m = manifestOf(f);
  m.members[i].sha256 = sha256Hex(bytes);
  edit(m.members[i]);
  return withManifest({ ...f, [m.members[i].file]: bytes }, m);
}
async function refusal(f: Files, options?: LoadBundleOptions): Promise<RiskscoreError> {
  try {
    await loadBundle(f, options);
  } catch (e) {
    expect(RiskscoreError.isInstance(e), String(e)).toBe(true);
    return e as RiskscoreError;
  }
  throw new Error('the bundle was accepted');
}

/** A tiny neural-like graph: ReduceSum over the row, then an optional last op. */
function tinyNet(o: { inType?: number; outType?: number; last?: 'Sigmoid' | 'Relu' | null; width?: number; outShape?: Array<number | string> }): Uint8Array {
  const width = o.width ?? 23;
  const nodes = [{ opType: 'ReduceSum', inputs: ['features'], outputs: [o.last ? 'sum' : 'logit'], attributes: { axes: { ints: [1] }, keepdims: { int: 1 } } }];
  if (o.last) nodes.push({ opType: o.last, inputs: ['sum'], outputs: ['logit'], attributes: {} as never });
  return onnxModelToBytes({
    producerName: 'test', opsets: { '': 11 }, graphName: 'g', nodes,
    inputs: [{ name: 'features', shape: ['batch', width], elemType: o.inType ?? 1 }],
    outputs: [{ name: 'logit', shape: o.outShape ?? ['batch', 1], elemType: o.outType ?? 1 }],
  });
}

describe('load-time checks: a wrong bundle cannot be scored', () => {
  it('the example bundles load, every output kind resolved from the graph', async () => {
    const b = await loadBundle(files());
    expect(b.members.map((m) => [m.spec.name, m.output])).toEqual([
      ['xgboost', { kind: 'logit', source: 'graph' }],
      ['mlp', { kind: 'logit', source: 'graph' }],
      ['ft_transformer', { kind: 'logit', source: 'graph' }],
    ]);
    expect(b.signedBy).toBeNull();
  });

  it('reads xgboost feature_names from the ONNX metadata', () => {
    const md = onnxModelFromBytes(files()['xgboost.onnx']).metadata;
    expect(JSON.parse(md.get('feature_names')!)).toEqual(manifestOf(files()).features.order);
  });

  it('two swapped names in features.order: refused, naming the member, the column and both names', async () => {
    const f = files();
    const m = manifestOf(f);
    [m.features.order[5], m.features.order[6]] = [m.features.order[6], m.features.order[5]];
    const e = await refusal(withManifest(f, m));
    expect(e.code).toBe('model_shape_mismatch');
    expect(e.path).toEqual(['features', 'order', 5]);
    expect(e.details).toMatchObject({ member: 'xgboost', index: 5, expected: 'PAY_0', actual: 'PAY_2' });
    expect(e.message).toMatch(/member xgboost reads column 5 as 'PAY_0'/);
  });

  it('a tree member declared with the wrong output kind: refused both ways', async () => {
    const f = files();
    // The margin declared a probability: native would read it as a logit, the backend take logit(margin).
    let m = manifestOf(f);
    m.members[0].output.kind = 'probability';
    let e = await refusal(withManifest(f, m));
    expect(e).toMatchObject({ code: 'model_shape_mismatch', path: ['members', 0, 'output', 'kind'], details: { member: 'xgboost', expected: 'logit', actual: 'probability' } });
    // The Sigmoid's output declared a logit.
    m = manifestOf(f);
    m.members[0].output = { name: 'probability', kind: 'logit' };
    e = await refusal(withManifest(f, m));
    expect(e).toMatchObject({ code: 'model_shape_mismatch', path: ['members', 0, 'output', 'kind'], details: { expected: 'probability', actual: 'logit' } });
    // Declared right, the Sigmoid's output is accepted and resolved as a probability.
    m = manifestOf(f);
    m.members[0].output = { name: 'probability', kind: 'probability' };
    const b = await loadBundle(withManifest(f, m));
    expect(b.members[0].output).toEqual({ kind: 'probability', source: 'graph' });
    expect(b.members[0].treeOutputIsProbability).toBe(false); // the native path evaluates the margin, already a logit
  });

  it('a neural member declared probability whose output comes out of a Gemm: refused', async () => {
    const f = files();
    const m = manifestOf(f);
    m.members[1].output.kind = 'probability';
    const e = await refusal(withManifest(f, m));
    expect(e).toMatchObject({ code: 'model_shape_mismatch', path: ['members', 1, 'output', 'kind'], details: { member: 'mlp', expected: 'logit', actual: 'probability', op: 'Gemm' } });
  });

  it('a neural member ending in a Sigmoid declared logit: refused; declared probability: accepted', async () => {
    const f = files();
    const net = tinyNet({ last: 'Sigmoid' });
    const e = await refusal(withMember(f, 1, net));
    expect(e).toMatchObject({ code: 'model_shape_mismatch', path: ['members', 1, 'output', 'kind'], details: { expected: 'probability', actual: 'logit', op: 'Sigmoid' } });
    const b = await loadBundle(withMember(f, 1, net, (x) => { x.output.kind = 'probability'; }));
    expect(b.members[1].output).toEqual({ kind: 'probability', source: 'graph' });
    // A last op that says nothing (Relu): the manifest's word stands.
    const relu = await loadBundle(withMember(f, 1, tinyNet({ last: 'Relu' }), (x) => { x.output.kind = 'probability'; }));
    expect(relu.members[1].output).toEqual({ kind: 'probability', source: 'manifest' });
  });

  it('a Sigmoid followed by a shape-only op (Identity here; Reshape, Squeeze, as torch exports end) is still a probability; a Mul after it says nothing', async () => {
    const net = (after: string) => onnxModelToBytes({
      producerName: 'test', opsets: { '': 11 }, graphName: 'g',
      nodes: [
        { opType: 'ReduceSum', inputs: ['features'], outputs: ['sum'], attributes: { axes: { ints: [1] }, keepdims: { int: 1 } } },
        { opType: 'Sigmoid', inputs: ['sum'], outputs: ['p'] },
        after === 'Reshape'
          ? { opType: 'Identity', inputs: ['p'], outputs: ['logit'] }
          : { opType: 'Mul', inputs: ['p', 'p'], outputs: ['logit'] },
      ],
      inputs: [{ name: 'features', shape: ['batch', 23] }], outputs: [{ name: 'logit', shape: ['batch', 1] }],
    });
    const f = files();
    const e = await refusal(withMember(f, 1, net('Reshape')));
    expect(e).toMatchObject({ code: 'model_shape_mismatch', path: ['members', 1, 'output', 'kind'], details: { expected: 'probability', op: 'Sigmoid' } });
    const ok = await loadBundle(withMember(f, 1, net('Reshape'), (x) => { x.output.kind = 'probability'; }));
    expect(ok.members[1].output).toEqual({ kind: 'probability', source: 'graph' });
    const mul = await loadBundle(withMember(f, 1, net('Mul'), (x) => { x.output.kind = 'probability'; }));
    expect(mul.members[1].output).toEqual({ kind: 'probability', source: 'manifest' });
  });

  it.each([
    ['float64 input', { inType: 11 }, 'input', 'float64'],
    ['int64 input', { inType: 7 }, 'input', 'int64'],
    ['float64 output', { outType: 11 }, 'output', 'float64'],
    ['float16 output', { outType: 10 }, 'output', 'float16'],
  ] as const)('a neural member with a %s: refused at load, not at the first score', async (_, o, side, type) => {
    const e = await refusal(withMember(files(), 1, tinyNet(o)));
    expect(e).toMatchObject({ code: 'model_shape_mismatch', path: ['members', 1, side, 'name'], details: { member: 'mlp', expected: 'float32', actual: type } });
  });

  it('a neural member with a rank-3 input or a two-column output: refused', async () => {
    const rank3 = onnxModelToBytes({
      producerName: 'test', opsets: { '': 11 }, graphName: 'g',
      nodes: [{ opType: 'ReduceSum', inputs: ['features'], outputs: ['logit'], attributes: { axes: { ints: [1, 2] }, keepdims: { int: 0 } } }],
      inputs: [{ name: 'features', shape: ['batch', 1, 23] }], outputs: [{ name: 'logit', shape: ['batch'] }],
    });
    let e = await refusal(withMember(files(), 1, rank3));
    expect(e).toMatchObject({ code: 'model_shape_mismatch', path: ['members', 1, 'input', 'name'] });
    e = await refusal(withMember(files(), 1, tinyNet({ outShape: ['batch', 2] })));
    expect(e).toMatchObject({ code: 'model_shape_mismatch', path: ['members', 1, 'output', 'name'], details: { expected: 1, actual: 2 } });
  });

  it.each([
    ['member weights [1e308, -1e308, 1e308]', (m: any) => { m.members[0].weight = 1e308; m.members[1].weight = -1e308; m.members[2].weight = 1e308; }, ['members', 0, 'weight']],
    ['Platt a = 1e308', (m: any) => { m.calibration.a = 1e308; }, ['calibration', 'a']],
    ['Platt b = -1e308', (m: any) => { m.calibration.b = -1e308; }, ['calibration', 'b']],
    ['ensemble bias 1e4', (m: any) => { m.ensemble.bias = 1e4; }, ['ensemble', 'bias']],
  ])('unbounded %s: refused', async (_, edit, path) => {
    const f = files();
    const m = manifestOf(f);
    edit(m);
    const e = await refusal(withManifest(f, m));
    expect(e.code).toBe('invalid_manifest');
    expect(e.path).toEqual(path);
  });

  it('a rule whose reason code has no text, or a text of another code: refused', async () => {
    const f = files();
    let m = manifestOf(f);
    m.decision.rules[0].reason = 'R99';
    let e = await refusal(withManifest(f, m));
    expect(e).toMatchObject({ code: 'invalid_manifest', path: ['reasonCodes', 'severe-delinquency', 'code'] });
    expect(e.message).toMatch(/rule severe-delinquency reports reason R99, but reasonCodes\["severe-delinquency"\] is code R01/);
    m = manifestOf(f);
    delete m.reasonCodes['severe-delinquency'];
    e = await refusal(withManifest(f, m));
    expect(e).toMatchObject({ code: 'invalid_manifest', path: ['reasonCodes', 'severe-delinquency'] });
  });

  it('a background row with a string or an infinite value: refused (it would become NaN)', async () => {
    const f = files();
    const rows = JSON.parse(new TextDecoder().decode(f['background.json']));
    rows[3][4] = '35';
    const bytes = new TextEncoder().encode(JSON.stringify(rows));
    const m = manifestOf(f);
    m.background.sha256 = sha256Hex(bytes);
    const e = await refusal(withManifest({ ...f, 'background.json': bytes }, m));
    expect(e).toMatchObject({ code: 'model_shape_mismatch', path: ['background', 'file'] });
  });
});

describe('bundle limits', () => {
  it('states its defaults', () => {
    expect(DEFAULT_BUNDLE_LIMITS).toEqual({ maxManifestBytes: 8 * 2 ** 20, maxFileBytes: 512 * 2 ** 20, maxTotalBytes: 2 ** 30, maxMembers: 64, maxArrayLength: 100_000, maxBackgroundRows: 100_000 });
  });

  it('a 3 MB manifest of 10,000 members: refused before any member is read', async () => {
    const f = files();
    const m = manifestOf(f);
    m.members = Array.from({ length: 10_000 }, (_, i) => ({ ...m.members[0], name: `m${i}`, file: `m${i}.onnx` }));
    const bytes = new TextEncoder().encode(JSON.stringify(m));
    expect(bytes.length).toBeGreaterThan(3e6);
    const read: string[] = [];
    const t0 = performance.now();
    const e = await refusal({ readFile: async (p: string) => { read.push(p); return p === 'manifest.json' ? bytes : f[p]; } } as never);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(e).toMatchObject({ code: 'bundle_integrity', path: ['members'], details: { limit: 'maxMembers', max: 64, actual: 10_000 } });
    expect(read).toEqual(['manifest.json']);
    // Raised on purpose, the same manifest goes on to its members (here: missing).
    const raised = await refusal({ ...f, 'manifest.json': bytes }, { limits: { maxMembers: 10_000 } });
    expect(raised).toMatchObject({ code: 'bundle_integrity', path: ['members', 0, 'file'] });
  });

  it('a file, the manifest and the whole bundle past their limits: refused, naming the limit', async () => {
    const f = files();
    let e = await refusal(f, { limits: { maxFileBytes: 100_000 } });
    expect(e).toMatchObject({ code: 'bundle_integrity', path: ['members', 0, 'file'], details: { limit: 'maxFileBytes', max: 100_000 } });
    e = await refusal(f, { limits: { maxManifestBytes: 1000 } });
    expect(e).toMatchObject({ code: 'bundle_integrity', path: ['manifest'], details: { limit: 'maxManifestBytes' } });
    const total = Object.values(f).reduce((s, b) => s + b.length, 0);
    e = await refusal(f, { limits: { maxTotalBytes: total - f['background.json'].length - 1 } });
    expect(e).toMatchObject({ code: 'bundle_integrity', details: { limit: 'maxTotalBytes' } });
    // A reader is told the bound, so it need not read more.
    const asked: number[] = [];
    await refusal({ readFile: async (p: string, o?: { maxBytes: number }) => { asked.push(o!.maxBytes); return f[p]; } } as never, { limits: { maxFileBytes: 100_000 } });
    expect(asked).toEqual([DEFAULT_BUNDLE_LIMITS.maxManifestBytes, 100_000]);
  });

  it('arrays past maxArrayLength and background rows past maxBackgroundRows: refused', async () => {
    const f = files();
    let e = await refusal(f, { limits: { maxArrayLength: 20 } });
    expect(e).toMatchObject({ code: 'bundle_integrity', path: ['features', 'order'], details: { limit: 'maxArrayLength', actual: 23 } });
    e = await refusal(f, { limits: { maxBackgroundRows: 99 } });
    expect(e).toMatchObject({ code: 'bundle_integrity', path: ['background', 'file'], details: { limit: 'maxBackgroundRows', actual: 100 } });
  });

  it('refuses limits that are not positive integers, and unknown limits', async () => {
    await expect(loadBundle(files(), { limits: { maxMembers: 0 } })).rejects.toMatchObject({ code: 'invalid_argument', path: ['options', 'limits', 'maxMembers'] });
    await expect(loadBundle(files(), { limits: { maxMember: 3 } as never })).rejects.toMatchObject({ code: 'invalid_argument', path: ['options', 'limits', 'maxMember'] });
  });
});
