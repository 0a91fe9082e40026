// The error contract (issue #12 item 5), table-driven over every public entry point of
// every package: bad input (wrong types, null, NaN, ±Infinity, empty arrays, mismatched
// lengths, out-of-range options) must throw a riskscore error (isRiskscoreError) whose
// code is a documented one (RISKSCORE_ERROR_CODES, and listed in docs/errors.md) and,
// where one argument or field is at fault, whose path names it.
//
// Kinds of rows:
// - `bad(name, run, path?)`: must throw (or reject); `path` is the expected path prefix,
//   `true` for "any non-empty path", `false` when no one argument is at fault.
// - `total(name, run)`: a pure function that answers any number (NaN in, NaN out): it
//   may return, but if it throws, it throws a riskscore error.
// - `it.todo` / `it.skip`: problems in files this test's author does not own (listed
//   in the report of issue #12) or entry points that need a real browser.
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import * as core from '@riskscore/core';
import * as features from '@riskscore/features';
import * as explain from '@riskscore/explain';
import * as browser from '@riskscore/browser';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../testing/shared-data';
import { loadXgbFixture } from '../../core/test/xgboost-fixtures';
import * as node from '../src/index';
import { TAIWAN_BUNDLE } from './taiwan';

const { isRiskscoreError, RISKSCORE_ERROR_CODES } = core;
type Path = ReadonlyArray<string | number> | boolean;

const NON_FINITE = [NaN, Infinity, -Infinity] as const;
const nothing = undefined as never;
const nul = null as never;

/** Runs `run`, awaiting a promise, and returns what it threw (or `undefined`). */
async function thrownBy(run: () => unknown): Promise<{ threw: boolean; error: unknown }> {
  try {
    await run();
    return { threw: false, error: undefined };
  } catch (error) {
    return { threw: true, error };
  }
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name} ${(e as { code?: string }).code ?? ''}: ${e.message}`;
  return String(e);
}

function expectContract(e: unknown, path: Path): void {
  expect(isRiskscoreError(e), `escaped: ${describeError(e)}`).toBe(true);
  if (!isRiskscoreError(e)) return;
  expect(RISKSCORE_ERROR_CODES).toContain(e.code);
  expect(typeof e.message).toBe('string');
  expect(e.message.length).toBeGreaterThan(10);
  expect(Array.isArray(e.path)).toBe(true);
  expect(typeof e.details === 'object' && e.details !== null).toBe(true);
  if (path === true) expect(e.path.length, `path of ${e.code}: ${e.message}`).toBeGreaterThan(0);
  else if (path !== false) expect(e.path.slice(0, path.length)).toEqual(path);
}

interface Row {
  readonly name: string;
  readonly run: () => unknown;
  readonly path: Path;
  readonly total: boolean;
}
const bad = (name: string, run: () => unknown, path: Path = true): Row => ({ name, run, path, total: false });
const total = (name: string, run: () => unknown): Row => ({ name, run, path: false, total: true });

// Known gaps: rows that still fail the contract. Each is registered as `it.todo` (so the
// gap shows in every run) and skipped by its table; a gap that starts passing fails the
// table, so the list cannot go stale. "not ours" rows are in files other engineers are
// rewriting (issue #12); "own file" rows are boundary checks still to add.
const KNOWN_GAPS = new Map<string, string>([
  ["observe(null row)", "deliberate: observe is the per-event hot path, fed by the scorer's validated row; left unchecked and documented on Monitor.observe"],
  ["observe(row too short)", "deliberate: observe is the per-event hot path, fed by the scorer's validated row; left unchecked and documented on Monitor.observe"],
  ["observe(offset -1)", "deliberate: observe is the per-event hot path, fed by the scorer's validated row; left unchecked and documented on Monitor.observe"],
  ["observe(score NaN)", "deliberate: observe is the per-event hot path, fed by the scorer's validated row; left unchecked and documented on Monitor.observe"],
  ["observe(latency -1)", "deliberate: observe is the per-event hot path, fed by the scorer's validated row; left unchecked and documented on Monitor.observe"],
]);

describe('known gaps (it.todo)', () => {
  for (const [name, reason] of KNOWN_GAPS) it.todo(`${name}: ${reason}`);
});

function table(rows: () => Row[]): void {
  // Rows are built lazily (after beforeAll loaded the fixtures).
  it('every row throws a documented riskscore error naming the culprit', async () => {
    const failures: string[] = [];
    for (const row of rows()) {
      const { threw, error } = await thrownBy(row.run);
      let problem: string | null = null;
      if (!threw) {
        if (!row.total) problem = 'did not throw';
      } else {
        try {
          expectContract(error, row.path);
        } catch (assertion) {
          problem = `${(assertion as Error).message.split('\n')[0]} (${describeError(error)})`;
        }
      }
      const known = KNOWN_GAPS.has(row.name);
      if (problem !== null && !known) failures.push(`${row.name}: ${problem}`);
      if (problem === null && known) failures.push(`${row.name}: now follows the contract; remove it from KNOWN_GAPS`);
    }
    expect(failures).toEqual([]);
  });
}

// --- fixtures ---------------------------------------------------------------------

const fx = loadXgbFixture('binary');
const { trees } = core.xgboostModelFromJson(fx.model);
const nF = trees.nFeatures;
const finiteRow = () => new Float32Array(nF).fill(0.5);
const rowWith = (j: number, v: number) => { const r = finiteRow(); r[j] = v; return r; };
const rowsWith = (n: number, r: number, j: number, v: number) => { const x = new Float32Array(n * nF).fill(0.5); x[r * nF + j] = v; return x; };
let bundle: core.LoadedBundle;
let manifestJson: Record<string, unknown>;
const predict: explain.BatchPredict = (rows, n) => new Float64Array(n).fill(0.1);
const scores = new Float64Array([0.1, 0.4, 0.35, 0.8]);
const labels = new Uint8Array([0, 0, 1, 1]);
const groups = new Int32Array([0, 1, 0, 1]);
const profile = () => explain.createReferenceProfile([
  { name: 'a', kind: 'numeric', values: new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) },
  { name: 'c', kind: 'categorical', values: new Float64Array([0, 1, 0, 1, 2, 0, 1, 0, 1, 2]) },
]);
const tmp = mkdtempSync(join(tmpdir(), 'riskscore-contract-'));
const silent = () => new Writable({ write: (_c, _e, cb) => cb() });

beforeAll(async () => {
  bundle = await node.loadBundleFromDir(TAIWAN_BUNDLE);
  manifestJson = JSON.parse(readFileSync(join(TAIWAN_BUNDLE, 'manifest.json'), 'utf8'));
});

it('docs/errors.md documents every code of RISKSCORE_ERROR_CODES', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'errors.md'), 'utf8');
  for (const code of RISKSCORE_ERROR_CODES) expect(doc, code).toMatch(new RegExp('^#+ `' + code + '`', 'm'));
});

// --- core ---------------------------------------------------------------------------

describe('core: trees', () => {
  table(() => [
    ...NON_FINITE.filter((v) => v !== v === false).map((v) => bad(`predictMargins row with ${v}`, () => trees.predictMargins(rowsWith(2, 1, 3, v), 2, new Float64Array(2)), ['rows', 1, 3])),
    ...[Infinity, -Infinity].map((v) => bad(`predictMarginsByWalk row with ${v}`, () => trees.predictMarginsByWalk(rowWith(0, v), 1, new Float64Array(1)), ['rows', 0, 0])),
    bad('predictMargins rows null', () => trees.predictMargins(nul, 1, new Float64Array(1)), ['rows']),
    bad('predictMargins nRows NaN', () => trees.predictMargins(finiteRow(), NaN, new Float64Array(1)), ['nRows']),
    bad('predictMargins nRows -1', () => trees.predictMargins(finiteRow(), -1, new Float64Array(1)), ['nRows']),
    bad('predictMargins rows too short', () => trees.predictMargins(new Float32Array(nF - 1), 1, new Float64Array(1)), ['rows']),
    bad('predictMargins out wrong type', () => trees.predictMargins(finiteRow(), 1, [0] as never), ['out']),
    bad('predictMargins out too short', () => trees.predictMargins(new Float32Array(2 * nF), 2, new Float64Array(1)), ['out']),
    bad('new TreeEnsemble(null)', () => new core.TreeEnsemble(nul)),
    bad('new TreeEnsemble({})', () => new core.TreeEnsemble({} as never)),
    bad('xgboostModelFromJson(null)', () => core.xgboostModelFromJson(null)),
    bad('xgboostModelFromJson({})', () => core.xgboostModelFromJson({})),
    bad('xgboostModelFromJson("x")', () => core.xgboostModelFromJson('x')),
    bad('treeEnsembleFromXgboostJson([])', () => core.treeEnsembleFromXgboostJson([])),
    bad('onnxFromXgboostJson(null)', () => core.onnxFromXgboostJson(null)),
    bad('treeEnsembleToOnnx(null)', () => core.treeEnsembleToOnnx(nul)),
    bad('treeEnsembleToOnnx bad option', () => core.treeEnsembleToOnnx(trees, { inputName: 3 } as never)),
    bad('treeGraphFromOnnx(null)', () => core.treeGraphFromOnnx(nul)),
    bad('treeGraphFromOnnx(garbage bytes)', () => core.treeGraphFromOnnx(new Uint8Array([1, 2, 3, 4, 5])), false),
    bad('treeGraphFromOnnx(an MLP)', () => core.treeGraphFromOnnx(bundle.members.find((m) => m.spec.kind === 'neural')!.bytes), false),
    total('sigmoid(NaN)', () => core.sigmoid(NaN)),
    total('sigmoid(Infinity)', () => core.sigmoid(Infinity)),
  ]);
});

describe('core: onnx', () => {
  table(() => [
    bad('onnxModelFromBytes(null)', () => core.onnxModelFromBytes(nul), false),
    bad('onnxModelFromBytes("text")', () => core.onnxModelFromBytes('text' as never), false),
    bad('onnxModelFromBytes(empty)', () => core.onnxModelFromBytes(new Uint8Array(0)), false),
    bad('onnxModelFromBytes(truncated)', () => core.onnxModelFromBytes(bundle.members[0].bytes.subarray(0, 100)), false),
    bad('onnxModelToBytes(null)', () => core.onnxModelToBytes(nul), false),
    bad('onnxModelToBytes({})', () => core.onnxModelToBytes({} as never), false),
    bad('onnxModelToBytes(bad node)', () => core.onnxModelToBytes({ graph: { nodes: [null], inputs: [], outputs: [] } } as never), false),
  ]);
});

describe('core: bundles', () => {
  table(() => {
    const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
    const filesOf = (manifest: unknown): core.BundleFiles => ({ ...Object.fromEntries(bundle.members.map((m) => [m.spec.file, m.bytes])), 'manifest.json': enc(manifest) }) as never;
    return [
      bad('loadBundle(null)', () => core.loadBundle(nul), false),
      bad('loadBundle({})', () => core.loadBundle({} as never)),
      bad('loadBundle(manifest not JSON)', () => core.loadBundle({ 'manifest.json': new Uint8Array([123, 1]) } as never)),
      bad('loadBundle(manifest [])', () => core.loadBundle(filesOf([])), false),
      bad('loadBundle(manifest with members: null)', () => core.loadBundle(filesOf({ ...manifestJson, members: null }))),
      bad('loadBundle(member sha256 wrong)', () => core.loadBundle(filesOf({ ...manifestJson, members: (manifestJson.members as Array<Record<string, unknown>>).map((m, i) => (i === 0 ? { ...m, sha256: '0'.repeat(64) } : m)) }))),
      bad('loadBundle(member file missing)', () => core.loadBundle({ 'manifest.json': enc(manifestJson) } as never)),
      bad('loadBundle(files, options null)', () => core.loadBundle(filesOf(manifestJson), nul), ['options']),
      bad('loadBundle(files, limits { maxMembers: -1 })', () => core.loadBundle(filesOf(manifestJson), { limits: { maxMembers: -1 } }), ['options', 'limits', 'maxMembers']),
      bad('loadBundle(files, trust { publicKeys: [] })', () => core.loadBundle(filesOf(manifestJson), { trust: { publicKeys: [] } }), ['options', 'trust', 'publicKeys']),
      bad('loadBundle(files, trust { publicKeys: [42] })', () => core.loadBundle(filesOf(manifestJson), { trust: { publicKeys: [42 as never] } }), ['options', 'trust', 'publicKeys', 0]),
      bad('loadBundle(unsigned, trust)', () => core.loadBundle(filesOf(manifestJson), { trust: { publicKeys: [node.generateBundleKeyPair().publicKeyPem] } }), ['manifest.sig']),
      bad('signBundle(null, key)', () => core.signBundle(nul, node.generateBundleKeyPair().privateKeyPem), ['files', 'manifest.json']),
      bad('signBundle(files, null)', () => core.signBundle(filesOf(manifestJson) as never, nul), ['privateKey']),
      bad('signBundle(files, "not a key")', () => core.signBundle(filesOf(manifestJson) as never, 'not a key'), ['privateKey']),
      bad('bundleKeyId(null)', () => core.bundleKeyId(nul), ['publicKey']),
      bad('sealBundle(null, {})', () => core.sealBundle(nul, {}), false),
      bad('sealBundle({}, {})', () => core.sealBundle({} as never, {})),
      bad('sealBundle(draft, missing files)', () => core.sealBundle({ ...manifestJson, members: (manifestJson.members as object[]).map((m) => ({ ...m, sha256: undefined })) } as never, {})),
      bad('sealBundle(draft, files null)', () => core.sealBundle(manifestJson as never, nul), false),
      bad('sha256Hex(null)', () => core.sha256Hex(nul), false),
      bad('sha256Hex("text")', () => core.sha256Hex('text' as never), false),
    ];
  });
});

describe('core: backends, calibration, decisions', () => {
  table(() => [
    bad('backendFromOrt(null)', () => (core.backendFromOrt as (...a: unknown[]) => unknown)(null), false),
    bad('backendFromOrt({})', () => (core.backendFromOrt as (...a: unknown[]) => unknown)({}), false),
    bad('createCalibrator(null)', () => core.createCalibrator(nul), false),
    bad('createCalibrator({ method: "x" })', () => core.createCalibrator({ method: 'x' } as never)),
    bad('createCalibrator(platt with NaN)', () => core.createCalibrator({ method: 'platt', a: NaN, b: 0 } as never)),
    bad('createCalibrator(isotonic, mismatched)', () => core.createCalibrator({ method: 'isotonic', x: [0, 1], y: [0] } as never)),
    bad('createCalibrator(isotonic, empty)', () => core.createCalibrator({ method: 'isotonic', x: [], y: [] } as never)),
    total('logit(NaN)', () => core.logit(NaN)),
    total('logit(2)', () => core.logit(2)),
    bad('createDecisionPolicy(null)', () => core.createDecisionPolicy(nul), false),
    bad('createDecisionPolicy({})', () => core.createDecisionPolicy({} as never)),
    bad('createDecisionPolicy(threshold NaN)', () => core.createDecisionPolicy({ ...(manifestJson.decision as object), approveBelow: NaN } as never), ['policy', 'approveBelow']),
    bad('decide(NaN score)', () => core.createDecisionPolicy(bundle.manifest.decision)(NaN, {}), ['score']),
    bad('decide(score 2)', () => core.createDecisionPolicy(bundle.manifest.decision)(2, {}), ['score']),
  ]);
});

describe('core: event validation and feature steps', () => {
  table(() => {
    const validator = core.createEventValidator(bundle.manifest.input.fields);
    const f0 = bundle.manifest.input.fields[0].name;
    return [
      bad('createEventValidator(null)', () => core.createEventValidator(nul), false),
      bad('validate(null)', () => validator.validate(null), false),
      bad('validate("x")', () => validator.validate('x'), false),
      bad('validate([])', () => validator.validate([]), false),
      ...NON_FINITE.map((v) => bad(`validate(${f0}: ${v})`, () => validator.validate({ [f0]: v }), ['event', f0])),
      bad(`validate(${f0}: "x")`, () => validator.validate({ [f0]: 'x' }), ['event', f0]),
      bad('identityFeatureStep(null)', () => core.identityFeatureStep(nul), false),
      bad('specFeatureStep(null)', () => core.specFeatureStep(nul), false),
      bad('specFeatureStep(manifest without spec)', () => core.specFeatureStep(bundle.manifest)),
    ];
  });
});

describe('core: scorer', () => {
  let scorer: core.Scorer;
  beforeAll(async () => {
    scorer = await core.createScorer(bundle, { backend: node.createNodeBackend() });
  });
  table(() => {
    const f0 = bundle.manifest.input.fields[0].name;
    const ev = { [f0]: 1 };
    return [
      bad('createScorer(null)', () => core.createScorer(nul), false),
      bad('createScorer({})', () => core.createScorer({} as never), false),
      bad('createScorer(bundle, { trees: "x" })', () => core.createScorer(bundle, { trees: 'x', backend: node.createNodeBackend() } as never), ['options', 'trees']),
      bad('createScorer(bundle, { features, clock })', () => core.createScorer(bundle, { features: core.identityFeatureStep(bundle.manifest), clock: null, backend: node.createNodeBackend() }), ['options', 'clock']),
      bad('score(null)', () => scorer.score(null), false),
      bad('score(42)', () => scorer.score(42), false),
      ...NON_FINITE.map((v) => bad(`score({ ${f0}: ${v} })`, () => scorer.score({ [f0]: v }), ['event', f0])),
      bad('score(ev, { explain: { neural: "x" } })', () => scorer.score(ev, { explain: { neural: 'x' } as never })),
      bad('score(ev, { explain: { kernelBackground: NaN } })', () => scorer.score(ev, { explain: { kernelBackground: NaN } })),
      bad('scoreBatch(null)', () => scorer.scoreBatch(nul), false),
      // One outcome per event: a bad event is refused in its outcome, by index and field.
      bad('scoreBatch([null])', async () => {
        const [o] = await scorer.scoreBatch([null]);
        if (!o.ok) throw o.error;
      }, ['events', 0]),
      bad('predictFeatures(null, 1)', () => scorer.predictFeatures(nul, 1)),
      bad('predictFeatures(rows, NaN)', () => scorer.predictFeatures(new Float32Array(nF), NaN)),
      bad('predictFeatures(rows too short)', () => scorer.predictFeatures(new Float32Array(3), 2)),
      bad('predictFeatures(Infinity)', () => scorer.predictFeatures(new Float32Array(bundle.manifest.features.order.length).fill(Infinity), 1)),
      bad('recordOutcome(null, 1)', () => scorer.recordOutcome(nul, 1), false),
      bad('recordOutcome(ev, NaN)', () => scorer.recordOutcome(ev, NaN)),
    ];
  });
});

describe('core: model registry', () => {
  let registry: core.ModelRegistry;
  beforeAll(async () => {
    registry = core.createModelRegistry({ scorerOptions: () => ({ backend: node.createNodeBackend() }) });
    await registry.load(bundle);
  });
  table(() => [
    bad('createModelRegistry(null)', () => core.createModelRegistry(nul), ['options']),
    bad('createModelRegistry(warmRows -1)', () => core.createModelRegistry({ warmRows: -1 }), ['options', 'warmRows']),
    bad('createModelRegistry(maxOutcomeEvents 0)', () => core.createModelRegistry({ maxOutcomeEvents: 0 }), ['options', 'maxOutcomeEvents']),
    bad('createModelRegistry(defaultAlias "")', () => core.createModelRegistry({ defaultAlias: '' }), ['options', 'defaultAlias']),
    bad('load(null)', () => registry.load(nul), ['bundle']),
    bad('unload("x@1")', () => registry.unload('x@1'), ['ref']),
    bad('setAlias("champion", null)', () => registry.setAlias('champion', nul), ['ref']),
    bad('setAlias("", ref)', () => registry.setAlias('', bundle.id), ['alias']),
    bad('rollback("never")', () => registry.rollback('never'), ['alias']),
    bad('startExperiment(null)', () => registry.startExperiment(nul), ['experiment']),
    bad('startExperiment(arms [])', () => registry.startExperiment({ name: 'x', key: 'k', arms: [] }), ['experiment', 'arms']),
    bad('score(ev) with nothing deciding', () => registry.score({}), ['aliases', 'champion']),
    bad('scoreBatch(null)', () => registry.scoreBatch(nul), ['events']),
    bad('recordOutcome(null, 1)', () => registry.recordOutcome(nul, 1), ['id']),
    bad('recordOutcome("a", 2)', () => registry.recordOutcome('a', 2 as never), ['label']),
    bad('scorer("x@1")', () => registry.scorer('x@1'), ['ref']),
    bad('checkExperiment(null)', () => core.checkExperiment(nul), ['experiment']),
    bad('splitPoint(1, "k")', () => core.splitPoint(1 as never, 'k'), ['salt']),
    bad('featureSpecKey(null)', () => core.featureSpecKey(nul), ['manifest']),
    bad('verdict("never")', () => registry.verdict('never'), ['experiment']),
    bad('createExperimentGuard(null)', () => core.createExperimentGuard(nul), ['registry']),
    bad('createExperimentGuard(minDecisions 0)', () => core.createExperimentGuard(registry, { guardrails: { minDecisions: 0 } }), ['options', 'guardrails', 'minDecisions']),
  ]);
});

describe('core: monitor', () => {
  table(() => {
    const monitor = core.createMonitor(bundle);
    const width = bundle.manifest.features.order.length;
    return [
      bad('createMonitor(null)', () => core.createMonitor(nul), false),
      bad('createMonitor({})', () => core.createMonitor({} as never)),
      bad('createMonitor({ reference: null, featureNames: [] })', () => core.createMonitor({ reference: null, featureNames: [] })),
      bad('createMonitor(window.events 0)', () => core.createMonitor(bundle, { window: { events: 0 } }), ['window', 'events']),
      bad('createMonitor(window.ms NaN)', () => core.createMonitor(bundle, { window: { ms: NaN } }), ['window', 'ms']),
      bad('createMonitor(slidingWindows -1)', () => core.createMonitor(bundle, { slidingWindows: -1 }), ['slidingWindows']),
      bad('createMonitor(outcomeCapacity 0)', () => core.createMonitor(bundle, { outcomeCapacity: 0 }), ['outcomes', 'capacity']),
      bad('createMonitor(calibrationBins Infinity)', () => core.createMonitor(bundle, { calibrationBins: Infinity }), ['calibrationBins']),
      bad('createMonitor(scoreBins 0)', () => core.createMonitor(bundle, { scoreBins: 0, referenceScores: [0.1] }), ['options']),
      bad('createMonitor(alertOn ["x"])', () => core.createMonitor(bundle, { alertOn: ['x' as never] }), ['alertOn']),
      bad('createMonitor(referenceScores [NaN])', () => core.createMonitor(bundle, { referenceScores: [NaN, NaN] }), ['options']),
      bad('observe(null row)', () => monitor.observe(nul, 0, 0.5, 10, 'approve' as never), ['row']),
      bad('observe(row too short)', () => monitor.observe(new Float32Array(1), 0, 0.5, 10, 'approve' as never), ['row']),
      bad('observe(offset -1)', () => monitor.observe(new Float32Array(width), -1, 0.5, 10, 'approve' as never), ['offset']),
      bad('observe(score NaN)', () => monitor.observe(new Float32Array(width), 0, NaN, 10, 'approve' as never), ['score']),
      bad('observe(latency -1)', () => monitor.observe(new Float32Array(width), 0, 0.5, -1, 'approve' as never), ['latencyUs']),
      bad('observerFor("nope")', () => monitor.observerFor('nope'), ['model']),
      bad('track(null)', () => monitor.track(nul, 0.5), ['id']),
      bad('track(id, NaN)', () => monitor.track('a', NaN), ['score']),
      bad('track(id, 0.5, "nope")', () => monitor.track('a', 0.5, 'nope'), ['model']),
      bad('recordOutcome(id, 2)', () => monitor.recordOutcome('a', 2 as never), ['label']),
      bad('subscribe(null)', () => monitor.subscribe(nul), ['listener']),
      bad('modelQualityFromOutcomes(null)', () => core.modelQualityFromOutcomes(nul as never, nul as never), false),
      bad('referenceProfileFromRows(null)', () => core.referenceProfileFromRows(nul as never, nul as never), false),
      bad('referenceProfileFromRows(manifest, [[1]])', () => (core.referenceProfileFromRows as (...a: unknown[]) => unknown)(bundle.manifest, [[1]])),
      bad('categoricalFeaturesOf(null)', () => core.categoricalFeaturesOf(nul), false),
      bad('categoricalFeaturesOf(manifest, -1)', () => core.categoricalFeaturesOf(bundle.manifest, -1), ['maxLevels']),
      total('latencyBucket(NaN)', () => core.latencyBucket(NaN)),
      total('latencyBucket(-1)', () => core.latencyBucket(-1)),
      total('latencyBucketBoundsUs()', () => core.latencyBucketBoundsUs()),
      bad('prometheusText(null)', () => core.prometheusText(nul), false),
      bad('prometheusText([{ name: "bad name" }])', () => core.prometheusText([{ name: 'bad name', type: 'counter', help: '', samples: [] }] as never)),
      bad('prometheusText(sample value "x")', () => core.prometheusText([{ name: 'a', type: 'counter', help: '', samples: [{ value: 'x' }] }] as never)),
    ];
  });
});

// --- features -------------------------------------------------------------------------

describe('features', () => {
  table(() => {
    const ev = features.compileFeatureSpec(features.fdhBaselineSpec());
    const out = new Float64Array(ev.size);
    return [
      bad('compileFeatureSpec(null)', () => features.compileFeatureSpec(null), false),
      bad('compileFeatureSpec({})', () => features.compileFeatureSpec({})),
      bad('compileFeatureSpec(spec, { store: {} })', () => features.compileFeatureSpec(features.fdhBaselineSpec(), { store: {} as never }), ['options', 'store']),
      bad('computeInto(null)', () => ev.computeInto(nul, out), false),
      bad('computeInto({})', () => ev.computeInto({}, out)),
      bad('computeInto(event, short out)', () => ev.computeInto({}, new Float64Array(1)), ['offset']),
      bad('peekInto(null)', () => ev.peekInto(nul, out), false),
      bad('recordOutcome({}, NaN)', () => ev.recordOutcome({}, NaN)),
      bad('secondsFromDuration(null)', () => features.secondsFromDuration(nul), false),
      bad('secondsFromDuration("x")', () => features.secondsFromDuration('x' as never), false),
      bad('secondsFromDatetime("not a date")', () => features.secondsFromDatetime('not a date'), false),
      bad('secondsFromDatetime(null)', () => features.secondsFromDatetime(nul), false),
      total('hourOfDay(NaN, 0)', () => features.hourOfDay(NaN, 0)),
      total('dayOfWeek(Infinity, 0)', () => features.dayOfWeek(Infinity, 0)),
      total('haversineDistance(NaN, …)', () => features.haversineDistance(NaN, 0, 0, 0, 6371)),
      bad('createMemoryStateStore({ maxBytes: -1 })', () => features.createMemoryStateStore({ maxBytes: -1 } as never), ['maxBytes']),
      bad('createMemoryStateStore({ maxBytes: NaN })', () => features.createMemoryStateStore({ maxBytes: NaN } as never), ['maxBytes']),
      bad('new EntityTable(null)', () => new (features.EntityTable as unknown as new (...a: unknown[]) => unknown)(null, null)),
      bad('hashString(null)', () => features.hashString(nul), false),
      bad('createOfflinePass(null)', () => features.createOfflinePass(nul), false),
    ];
  });
});

// --- explain ------------------------------------------------------------------------

describe('explain: attribution', () => {
  table(() => {
    const te = explain.createTreeExplainer(trees);
    const ie = explain.createInterventionalTreeExplainer(trees, new Float32Array(2 * nF).fill(0.5), 2);
    const ke = explain.createKernelExplainer({ predict, nFeatures: 3, background: new Float32Array(6), nBackground: 2 });
    const le = explain.createLimeExplainer({ predict, nFeatures: 3, training: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), nTraining: 3, nSamples: 20 });
    const out = new Float64Array(te.outputLength);
    return [
      ...[Infinity, -Infinity].flatMap((v) => [
        bad(`tree explainRow(${v})`, () => te.explainRow(rowWith(4, v), out), ['row', 4]),
        bad(`tree explainBatch(${v})`, () => te.explainBatch(rowsWith(3, 2, 1, v), 3), ['rows', 2, 1]),
        bad(`interventional explainRow(${v})`, () => ie.explainRow(rowWith(4, v), out), ['row', 4]),
        bad(`interventional explainBatch(${v})`, () => ie.explainBatch(rowsWith(3, 2, 1, v), 3), ['rows', 2, 1]),
        bad(`interventional background(${v})`, () => explain.createInterventionalTreeExplainer(trees, rowsWith(2, 1, 0, v), 2), ['background', 1, 0]),
        bad(`kernel explain(${v})`, () => ke.explain(new Float32Array([0, v, 0])), ['row', 1]),
        bad(`kernel explainBatch(${v})`, () => ke.explainBatch(new Float32Array([0, 0, 0, 0, 0, v]), 2), ['rows', 1, 2]),
        bad(`kernel background(${v})`, () => explain.createKernelExplainer({ predict, nFeatures: 3, background: new Float32Array([0, 0, 0, v, 0, 0]), nBackground: 2 }), ['background', 1, 0]),
        bad(`lime explain(${v})`, () => le.explain(new Float32Array([v, 0, 0])), ['row', 0]),
        bad(`lime training(${v})`, () => explain.createLimeExplainer({ predict, nFeatures: 3, training: new Float32Array([1, 2, 3, 4, v, 6]), nTraining: 2 }), ['training', 1, 1]),
        bad(`combineEnsembleAttributions(${v})`, () => explain.combineEnsembleAttributions([new Float64Array([0, v, 0])], [1], 0, new Float64Array(3)), ['members', 0, 1]),
      ]),
      bad('createTreeExplainer(null)', () => explain.createTreeExplainer(nul), false),
      bad('createTreeExplainer({})', () => explain.createTreeExplainer({} as never)),
      bad('createTreeExplainer(algorithm "x")', () => explain.createTreeExplainer(trees, { algorithm: 'x' as never }), ['options', 'algorithm']),
      bad('createTreeExplainer(maxPathFeatures NaN)', () => explain.createTreeExplainer(trees, { maxPathFeatures: NaN }), ['options', 'maxPathFeatures']),
      bad('createTreeExplainer(maxTableBytes -1)', () => explain.createTreeExplainer(trees, { maxTableBytes: -1 }), ['options', 'maxTableBytes']),
      bad('tree explainRow(null)', () => te.explainRow(nul, out), ['row']),
      bad('tree explainRow(short)', () => te.explainRow(new Float32Array(1), out), ['row']),
      bad('tree explainRow(out null)', () => te.explainRow(finiteRow(), nul), ['out']),
      bad('tree explainBatch(nRows NaN)', () => te.explainBatch(finiteRow(), NaN), ['rows']),
      bad('tree explainBatch(mismatched)', () => te.explainBatch(finiteRow(), 2), ['rows']),
      bad('createInterventionalTreeExplainer(nBackground 0)', () => explain.createInterventionalTreeExplainer(trees, new Float32Array(0), 0), ['nBackground']),
      bad('createInterventionalTreeExplainer(mismatched)', () => explain.createInterventionalTreeExplainer(trees, new Float32Array(3), 2), ['background']),
      bad('createKernelExplainer(null)', () => explain.createKernelExplainer(nul), false),
      bad('createKernelExplainer(predict null)', () => explain.createKernelExplainer({ predict: nul, nFeatures: 3, background: new Float32Array(6), nBackground: 2 }), ['predict']),
      bad('createKernelExplainer(nSamples 1)', () => explain.createKernelExplainer({ predict, nFeatures: 3, background: new Float32Array(6), nBackground: 2, nSamples: 1 }), ['nSamples']),
      bad('createKernelExplainer(maxBatchRows 0)', () => explain.createKernelExplainer({ predict, nFeatures: 3, background: new Float32Array(6), nBackground: 2, maxBatchRows: 0 }), ['maxBatchRows']),
      bad('kernel explain(out wrong)', () => ke.explain(new Float32Array(3), new Float64Array(1)), ['out']),
      bad('kernel explain(predict returns NaN)', () => explain.createKernelExplainer({ predict: (r, n) => new Float64Array(n).fill(NaN), nFeatures: 3, background: new Float32Array(6), nBackground: 2 }).explain(new Float32Array(3)), ['predict']),
      bad('createLimeExplainer(null)', () => explain.createLimeExplainer(nul), false),
      bad('createLimeExplainer(nTraining 1)', () => explain.createLimeExplainer({ predict, nFeatures: 3, training: new Float32Array(3), nTraining: 1 }), ['nTraining']),
      bad('createLimeExplainer(kernelWidth NaN)', () => explain.createLimeExplainer({ predict, nFeatures: 3, training: new Float32Array(6), nTraining: 2, kernelWidth: NaN }), ['kernelWidth']),
      bad('createLimeExplainer(maxBatchRows 0)', () => explain.createLimeExplainer({ predict, nFeatures: 3, training: new Float32Array(6), nTraining: 2, maxBatchRows: 0 }), ['maxBatchRows']),
      bad('lime explain(short)', () => le.explain(new Float32Array(1)), ['row']),
      bad('combineEnsembleAttributions([])', () => explain.combineEnsembleAttributions([], [], 0, new Float64Array(3)), ['members']),
      bad('combineEnsembleAttributions(mismatched weights)', () => explain.combineEnsembleAttributions([new Float64Array(3)], [1, 2], 0, new Float64Array(3)), ['weights']),
      bad('combineEnsembleAttributions(bias NaN)', () => explain.combineEnsembleAttributions([new Float64Array(3)], [1], NaN, new Float64Array(3)), ['bias']),
      bad('combineEnsembleAttributions(out null)', () => explain.combineEnsembleAttributions([new Float64Array(3)], [1], 0, nul), ['out']),
      bad('createFieldGrouping(null)', () => explain.createFieldGrouping(nul), false),
      bad('createFieldGrouping([[]])', () => explain.createFieldGrouping([[]])),
      bad('topAdverseFactors(k -1)', () => explain.topAdverseFactors(new Float64Array(2), { k: -1 }), ['k']),
      bad('topAdverseFactors(NaN value)', () => explain.topAdverseFactors(new Float64Array([NaN]), { k: 1 }), ['values']),
      bad('topAdverseFactors(null)', () => explain.topAdverseFactors(nul, { k: 1 }), ['values']),
      bad('topAdverseFactors(options null)', () => explain.topAdverseFactors(new Float64Array(1), nul), ['options']),
      bad('predictInBatches(maxBatchRows 0)', () => explain.predictInBatches(predict, new Float32Array(3), 1, 3, 0, 'x'), ['maxBatchRows']),
      bad('predictInBatches(wrong length answer)', () => explain.predictInBatches(() => new Float64Array(0), new Float32Array(3), 1, 3, 10, 'x'), ['predict']),
      bad('checkTreeEnsemble(null)', () => explain.checkTreeEnsemble(nul, { needCover: false }), false),
      bad('createSeededRandom(NaN)', () => explain.createSeededRandom(NaN), ['seed']),
    ];
  });
});

describe('explain: plots', () => {
  table(() => [
    bad('waterfallSvg(null)', () => explain.waterfallSvg(nul), false),
    bad('waterfallSvg(names mismatched)', () => explain.waterfallSvg({ values: [1, 2], base: 0, names: ['a'] }), ['names']),
    bad('waterfallSvg(base NaN)', () => explain.waterfallSvg({ values: [1], base: NaN, names: ['a'] }), ['base']),
    bad('waterfallSvg(value Infinity)', () => explain.waterfallSvg({ values: [Infinity], base: 0, names: ['a'] }), ['values']),
    bad('waterfallSvg(maxDisplay 0)', () => explain.waterfallSvg({ values: [1], base: 0, names: ['a'], maxDisplay: 0 }), ['maxDisplay']),
    bad('summarySvg(null)', () => explain.summarySvg(nul), false),
    bad('summarySvg(mismatched)', () => explain.summarySvg({ attributions: new Float64Array(3), nRows: 2, names: ['a', 'b'] })),
    bad('summarySvg(nRows 0)', () => explain.summarySvg({ attributions: new Float64Array(0), nRows: 0, names: ['a'] })),
    bad('summarySvg(kind "x")', () => explain.summarySvg({ attributions: new Float64Array(2), nRows: 1, names: ['a'], kind: 'x' as never }), ['kind']),
    bad('escapeXml(null)', () => explain.escapeXml(nul), false),
  ]);
});

describe('explain: statistics', () => {
  table(() => {
    const p = profile();
    const acc = explain.createDriftCounts(p);
    return [
      ...NON_FINITE.map((v) => bad(`ksTwoSample(${v})`, () => explain.ksTwoSample(new Float64Array([1, v]), new Float64Array([1, 2])), ['reference'])),
      bad('ksTwoSample(empty)', () => explain.ksTwoSample(new Float64Array(0), new Float64Array([1]))),
      bad('ksTwoSample(null)', () => explain.ksTwoSample(nul, new Float64Array([1]))),
      bad('ksTwoSample(method "x")', () => explain.ksTwoSample(new Float64Array([1]), new Float64Array([2]), { method: 'x' as never })),
      bad('kolmogorovSurvival(NaN)', () => explain.kolmogorovSurvival(NaN, 0.5)),
      bad('smirnovSurvival(n 0)', () => explain.smirnovSurvival(0, 0.5)),
      bad('chiSquareSurvival(dof 0)', () => explain.chiSquareSurvival(1, 0)),
      bad('chiSquareSurvival(x NaN)', () => explain.chiSquareSurvival(NaN, 1)),
      bad('chiSquareTest(mismatched)', () => explain.chiSquareTest(new Float64Array([1, 2]), new Float64Array([1]))),
      bad('chiSquareTest(negative)', () => explain.chiSquareTest(new Float64Array([1, -2]), new Float64Array([1, 2]))),
      bad('jensenShannonDistance(mismatched)', () => explain.jensenShannonDistance(new Float64Array([0.5, 0.5]), new Float64Array([1]))),
      bad('jensenShannonDistance(base 1)', () => explain.jensenShannonDistance(new Float64Array([1]), new Float64Array([1]), { base: 1 }), ['options', 'base']),
      bad('jensenShannonDistance(Infinity)', () => explain.jensenShannonDistance(new Float64Array([Infinity]), new Float64Array([1]))),
      bad('wassersteinDistance(empty)', () => explain.wassersteinDistance(new Float64Array(0), new Float64Array([1]))),
      bad('wassersteinDistance(Infinity)', () => explain.wassersteinDistance(new Float64Array([Infinity]), new Float64Array([1]))),
      bad('normalizedWassersteinDistance(constant reference)', () => explain.normalizedWassersteinDistance(new Float64Array([1, 1]), new Float64Array([1, 2])), false),
      bad('populationStabilityIndex(mismatched)', () => explain.populationStabilityIndex(new Float64Array([1, 2]), new Float64Array([1]))),
      bad('populationStabilityIndex(epsilon -1)', () => explain.populationStabilityIndex(new Float64Array([1]), new Float64Array([1]), { epsilon: -1 })),
      bad('populationStabilityIndexFromSamples(bins 0)', () => explain.populationStabilityIndexFromSamples(new Float64Array([1, 2]), new Float64Array([1, 2]), { bins: 0 })),
      bad('quantileEdges(bins 0)', () => explain.quantileEdges(new Float64Array([1, 2]), 0)),
      bad('quantileEdges(null)', () => explain.quantileEdges(nul, 2)),
      total('binIndex(edges, NaN)', () => explain.binIndex(new Float64Array([1, 2]), NaN)),
      bad('createReferenceProfile([])', () => explain.createReferenceProfile([])),
      bad('createReferenceProfile(null)', () => explain.createReferenceProfile(nul), false),
      bad('createReferenceProfile(kind "x")', () => explain.createReferenceProfile([{ name: 'a', kind: 'x' as never, values: new Float64Array([1]) }])),
      bad('createReferenceProfile(Infinity)', () => explain.createReferenceProfile([{ name: 'a', kind: 'numeric', values: new Float64Array([1, Infinity]) }])),
      bad('validateReferenceProfile(null)', () => explain.validateReferenceProfile(null), false),
      bad('validateReferenceProfile({ features: 1 })', () => explain.validateReferenceProfile({ features: 1 })),
      bad('createDriftCounts(null)', () => explain.createDriftCounts(nul), false),
      bad('recordDriftRow(short)', () => explain.recordDriftRow(acc, [1])),
      bad('recordDriftRow(null)', () => explain.recordDriftRow(acc, nul)),
      bad('recordDriftColumn(feature 9)', () => explain.recordDriftColumn(acc, 9, [1])),
      bad('recordDriftColumn(Infinity)', () => explain.recordDriftColumn(acc, 0, [Infinity])),
      bad('addDriftCounts(other profile)', () => explain.addDriftCounts(acc, explain.createDriftCounts(explain.createReferenceProfile([{ name: 'z', kind: 'numeric', values: new Float64Array([1, 2, 3]) }])))),
      bad('addDriftCounts(factor NaN)', () => explain.addDriftCounts(acc, explain.createDriftCounts(p), NaN)),
      bad('resetDriftCounts(null)', () => explain.resetDriftCounts(nul), false),
      bad('referenceBucketCounts(feature -1)', () => explain.referenceBucketCounts(p, -1)),
      bad('driftStatus("x", 0.1)', () => explain.driftStatus('x' as never, 0.1)),
      bad('driftStatus("psi", NaN)', () => explain.driftStatus('psi', NaN)),
      bad('featureDriftFromSamples(statistic "x")', () => explain.featureDriftFromSamples('a', new Float64Array([1, 2]), new Float64Array([1, 2]), 'x' as never)),
      bad('featureDriftFromCounts(null)', () => explain.featureDriftFromCounts(nul), false),
      bad('summarizeDrift(null)', () => explain.summarizeDrift(nul), false),
    ];
  });
});

describe('explain: quality and fairness', () => {
  table(() => [
    ...NON_FINITE.map((v) => bad(`rocAuc(score ${v})`, () => explain.rocAuc(new Float64Array([0.1, v]), new Uint8Array([0, 1])), ['scores', 1])),
    bad('rocAuc(mismatched)', () => explain.rocAuc(scores, new Uint8Array(2)), ['labels']),
    bad('rocAuc(label 2)', () => explain.rocAuc(scores, new Uint8Array([0, 1, 2, 0])), ['labels', 2]),
    bad('rocAuc(one class)', () => explain.rocAuc(scores, new Uint8Array(4))),
    bad('rocAuc(null)', () => explain.rocAuc(nul, labels)),
    bad('rocAuc(empty)', () => explain.rocAuc(new Float64Array(0), new Uint8Array(0))),
    bad('gini(mismatched)', () => explain.gini(scores, new Uint8Array(2))),
    bad('averagePrecision(one class)', () => explain.averagePrecision(scores, new Uint8Array(4))),
    bad('thresholdMetrics(threshold NaN)', () => explain.thresholdMetrics(scores, labels, NaN), ['threshold']),
    bad('recallAtFpr(maxFpr 2)', () => explain.recallAtFpr(scores, labels, 2), ['maxFpr']),
    bad('ksStatistic(mismatched)', () => explain.ksStatistic(scores, new Uint8Array(1))),
    bad('brierScore(probability 2)', () => explain.brierScore(new Float64Array([2, 0, 0, 0]), labels)),
    bad('calibrationCurve(bins 0)', () => explain.calibrationCurve(scores, labels, { bins: 0 })),
    bad('calibrationCurve(strategy "x")', () => explain.calibrationCurve(scores, labels, { strategy: 'x' as never })),
    bad('cardPrecisionAtK(k 0)', () => explain.cardPrecisionAtK(scores, labels, new Int32Array(4), 0)),
    bad('cardPrecisionAtK(mismatched ids)', () => explain.cardPrecisionAtK(scores, labels, new Int32Array(1), 1)),
    bad('rocSteps(null)', () => explain.rocSteps(nul, nul)),
    bad('groupMetrics(mismatched groups)', () => explain.groupMetrics(scores, labels, new Int32Array(1), 0.5)),
    bad('groupMetrics(threshold NaN)', () => explain.groupMetrics(scores, labels, groups, NaN)),
    bad('groupMetrics(group -1)', () => explain.groupMetrics(scores, labels, new Int32Array([0, -1, 0, 1]), 0.5)),
    bad('fairnessSummary([])', () => explain.fairnessSummary([])),
    bad('fairnessSummary(null)', () => explain.fairnessSummary(nul), false),
    bad('fairnessSummary(referenceGroup 9)', () => explain.fairnessSummary(explain.groupMetrics(scores, labels, groups, 0.5), { referenceGroup: 9 })),
    bad('kamiranCaldersWeights(mismatched)', () => explain.kamiranCaldersWeights(labels, new Int32Array(1))),
    bad('optimizeGroupThresholds(constraint "x")', () => explain.optimizeGroupThresholds(scores, labels, groups, { constraint: 'x' as never })),
    bad('optimizeGroupThresholds(tolerance -1)', () => explain.optimizeGroupThresholds(scores, labels, groups, { constraint: 'demographic_parity', tolerance: -1 } as never)),
    bad('optimizeGroupThresholds(options null)', () => explain.optimizeGroupThresholds(scores, labels, groups, nul)),
    bad('applyGroupThresholds(too few thresholds)', () => explain.applyGroupThresholds(scores, groups, new Float64Array(1))),
    bad('applyGroupThresholds(NaN threshold)', () => explain.applyGroupThresholds(scores, groups, new Float64Array([NaN, 0.5]))),
  ]);
});

// --- node -----------------------------------------------------------------------------

describe('node', () => {
  table(() => [
    bad('createNodeBackend(intraOpNumThreads 0)', () => node.createNodeBackend({ intraOpNumThreads: 0 }), ['options', 'intraOpNumThreads']),
    bad('createNodeBackend(graphOptimizationLevel "x")', () => node.createNodeBackend({ graphOptimizationLevel: 'x' as never }), ['options', 'graphOptimizationLevel']),
    bad('createNodeBackend().createSession(garbage)', () => node.createNodeBackend().createSession(new Uint8Array([1, 2, 3]), { input: 'x', output: 'y' } as never)),
    bad('loadBundleFromDir(null)', () => node.loadBundleFromDir(nul), false),
    bad('loadBundleFromDir(missing dir)', () => node.loadBundleFromDir(join(tmp, 'nope'))),
    bad('loadBundleFromDir(a file)', () => node.loadBundleFromDir(join(TAIWAN_BUNDLE, 'manifest.json'))),
    bad('signBundleDir(null, key)', () => node.signBundleDir(nul, node.generateBundleKeyPair().privateKeyPem), false),
    bad('signBundleDir(missing dir, key)', () => node.signBundleDir(join(tmp, 'nope'), node.generateBundleKeyPair().privateKeyPem), ['dir']),
    bad('signBundleDir(dir, "not a key")', () => node.signBundleDir(TAIWAN_BUNDLE, 'not a key'), ['privateKey']),
    bad('loadBundleFromDir(dir, trust { publicKeys: null })', () => node.loadBundleFromDir(TAIWAN_BUNDLE, { trust: { publicKeys: nul } }), ['options', 'trust', 'publicKeys']),
    bad('writeBundleDir(null)', () => node.writeBundleDir(nul, {}), false),
    bad('writeBundleDir(dir, null)', () => node.writeBundleDir(join(tmp, 'w'), nul), false),
    bad('writeBundleDir(dir, { "../x": bytes })', () => node.writeBundleDir(join(tmp, 'w2'), { '../x': new Uint8Array(1) })),
    bad('createRiskReport(null)', () => node.createRiskReport(nul), false),
    bad('createRiskReport(events null)', () => node.createRiskReport({ bundle, events: nul })),
    bad('createRiskReport(events [])', () => node.createRiskReport({ bundle, events: [] })),
    bad('createRiskReport(groupField "nope")', () => node.createRiskReport({ bundle, events: [{ event: {}, label: 1 }] as never, groupField: 'nope' })),
    bad('reportHtml(null)', () => node.reportHtml(nul), false),
    bad('barChartSvg(null)', () => node.barChartSvg(nul, { title: 't' }), false),
    bad('barChartSvg(value NaN)', () => node.barChartSvg([{ label: 'a', value: NaN }] as never, { title: 't' })),
    bad('pairedBarsSvg(null)', () => (node.pairedBarsSvg as (...a: unknown[]) => unknown)(nul, nul), false),
    bad('unitLineChartSvg(null)', () => (node.unitLineChartSvg as (...a: unknown[]) => unknown)(nul, nul), false),
    bad('escapeXml(null)', () => node.escapeXml(nul), false),
    bad('computeFeaturesFile(null)', () => node.computeFeaturesFile(nul), false),
    bad('computeFeaturesFile(spec {})', () => node.computeFeaturesFile({ spec: {}, inputs: [] })),
    bad('computeFeaturesFile(inputs missing file)', () => node.computeFeaturesFile({ spec: features.fdhBaselineSpec(), inputs: [join(tmp, 'nope.csv')] })),
    bad('computeFeaturesFile(limit -1)', () => node.computeFeaturesFile({ spec: features.fdhBaselineSpec(), inputs: [], limit: -1 }), ['limit']),
    bad('computeFeaturesFile(format "x")', () => node.computeFeaturesFile({ spec: features.fdhBaselineSpec(), inputs: [], format: 'x' as never }), ['format']),
    bad('readEventFile(missing file)', () => node.readEventFile(join(tmp, 'nope.csv'), features.compileFeatureSpec(features.fdhBaselineSpec()).spec, () => undefined)),
    bad('readEventFile(null)', () => node.readEventFile(nul, nul, nul), false),
    bad('eventFileFormat("x.txt")', () => node.eventFileFormat('x.txt')),
    bad('eventFileFormat(null)', () => node.eventFileFormat(nul), false),
    bad('createFeatureCsvWriter(null)', () => node.createFeatureCsvWriter(nul, { keepNames: [], featureNames: [] }), false),
    bad('createFeatureCsvWriter(options null)', () => node.createFeatureCsvWriter(join(tmp, 'o.csv'), nul), false),
    bad('createFeatureArrowWriter(options null)', () => node.createFeatureArrowWriter(join(tmp, 'o.arrow'), nul), false),
    bad('createProgressBar(total NaN)', () => node.createProgressBar({ total: NaN, stream: silent() }), ['total']),
    bad('createProgressBar(null)', () => node.createProgressBar(nul), false),
    total('parseDecimal(bad range)', () => node.parseDecimal(new Uint8Array(0), 5, 2)),
    bad('parseDecimal(null)', () => node.parseDecimal(nul, 0, 1), false),
  ]);
  it('the CLI commands answer bad arguments with an exit code and a message, not a throw', async () => {
    for (const argv of [[], ['--nope'], ['--spec', join(tmp, 'nope.json')]]) {
      const err: string[] = [];
      const io = { stdout: silent(), stderr: new Writable({ write: (c, _e, cb) => { err.push(String(c)); cb(); } }) };
      await expect(node.runFeaturesCommand(argv, io)).resolves.not.toBe(0);
      await expect(node.runReportCommand(argv, io)).resolves.not.toBe(0);
    }
  });
});

// --- browser ------------------------------------------------------------------------

describe('browser', () => {
  table(() => [
    bad('createWebBackend(numThreads 0)', () => browser.createWebBackend({ numThreads: 0 }), ['options', 'numThreads']),
    bad('createWebBackend(numThreads NaN)', () => browser.createWebBackend({ numThreads: NaN }), ['options', 'numThreads']),
    bad('createWebBackend(wasmPaths 3)', () => browser.createWebBackend({ wasmPaths: 3 as never }), ['options', 'wasmPaths']),
    bad('loadBundleFromUrl(null)', () => browser.loadBundleFromUrl(nul), ['baseUrl']),
    bad('loadBundleFromUrl("not a url")', () => browser.loadBundleFromUrl('not a url'), ['baseUrl']),
    bad('loadBundleFromUrl(unreachable)', () => browser.loadBundleFromUrl('http://127.0.0.1:9/bundle/')),
    bad('createWebBackend(numThreads "many")', () => browser.createWebBackend({ numThreads: 'many' as never }), ['options', 'numThreads']),
    bad('createWebBackend(ort 3)', () => browser.createWebBackend({ ort: 3 as never }), ['options', 'ort']),
    bad('createWorkerScorer(42)', () => browser.createWorkerScorer(42 as never), ['source']),
    bad('createWorkerScorer(files without manifest)', () => browser.createWorkerScorer({ 'a.onnx': new Uint8Array(1) }), ['source', 'manifest.json']),
    bad('createWorkerScorer(file not bytes)', () => browser.createWorkerScorer({ 'manifest.json': 'text' as never }), ['source', 'manifest.json']),
    bad('createWorkerScorer(relative URL, no page)', () => browser.createWorkerScorer('bundles/x/'), ['source']),
    bad('createWorkerScorer(numThreads 0)', () => browser.createWorkerScorer('http://127.0.0.1:9/b/', { ort: { numThreads: 0 } }), ['options', 'ort', 'numThreads']),
    bad('createWorkerScorer(loadTimeoutMs -1)', () => browser.createWorkerScorer('http://127.0.0.1:9/b/', { loadTimeoutMs: -1 }), ['options', 'loadTimeoutMs']),
    bad('createWorkerScorer(worker 3)', () => browser.createWorkerScorer('http://127.0.0.1:9/b/', { worker: 3 as never })),
    bad('createWorkerScorer(no Web Worker in Node)', () => browser.createWorkerScorer('http://127.0.0.1:9/b/', { worker: 'http://127.0.0.1:9/w.js' })),
  ]);
  it.skip('createWebBackend().createSession on real models: needs onnxruntime-web in a browser (covered by chromium.test.ts)', () => undefined);
  it.skip('createWorkerScorer with a real worker: needs a browser (covered by examples/browser-prescreen/test/prescreen.chromium.test.ts)', () => undefined);
});
