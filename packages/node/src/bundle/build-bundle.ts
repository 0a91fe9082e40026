/**
 * Building a sealed bundle folder from a config file (bundle-config.ts), with no script:
 * xgboost JSON members converted by riskscore (xgboost's feature_names kept in the ONNX
 * metadata, so the loader checks them), ONNX members whose input and output names and
 * output kind are read from the graph, the background sample and the drift reference
 * profile from the training sample, and — given a labelled validation file — stacking
 * weights (logistic regression on the member logits), Platt or isotonic calibration
 * fitted in TypeScript, and a summary (AUC, average precision, Brier) of the result.
 * Deterministic: the same config and files give the same bytes (set `created`).
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  categoricalFeaturesOf, createScorer, fitIsotonic, fitLogistic, graphOutputKind, loadBundle, onnxFromXgboostJson, onnxModelFromBytes,
  referenceProfileFromRows, RiskscoreError, sealBundle, signBundle, treeGraphFromOnnx, treeOutputKind, xgboostModelFromJson,
  type BundleKey, type Calibration, type ManifestDraft,
} from '@riskscore/core';
import { averagePrecision, brierScore, createSeededRandom, rocAuc } from '@riskscore/explain';
import { createNodeBackend } from '../backend/node-backend';
import { readCsvRecords } from '../io/csv-reader';
import { readJsonLines } from '../io/jsonl-reader';
import { writeBundleDir } from './bundle-dir';
import { specSample } from './spec-sample';
import { BundleConfigSchema, type BundleConfig, type BundleConfigInput, type MemberConfig } from './bundle-config';

/** What the build printed: each member's wiring and the validation figures. */
export interface BuildSummary {
  id: string;
  dir: string;
  features: number;
  members: Array<{ name: string; kind: 'trees' | 'neural'; file: string; input: string; output: string; outputKind: 'logit' | 'probability'; kindFrom: 'graph' | 'config'; weight: number; validationAuc?: number }>;
  ensemble: { bias: number; fitted: boolean };
  calibration: Calibration;
  trainingRows: number;
  backgroundRows: number;
  referenceRows: number;
  validation?: { rows: number; positives: number; auc: number; averagePrecision: number; brier: number };
  signedBy?: string;
}

const bad = (message: string, path: Array<string | number>): RiskscoreError => new RiskscoreError('invalid_argument', message, { path });

/** Rows of a data file as a feature matrix (row-major, NaN for a missing cell) and, when asked, its labels. */
async function readTable(file: string, order: readonly string[], label: string | undefined, at: string[]): Promise<{ n: number; rows: Float32Array; labels: Float64Array | null }> {
  const values: number[] = [];
  const labels: number[] = [];
  const num = (v: unknown, line: number, col: string): number => {
    if (v === undefined || v === null || v === '') return NaN;
    const x = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN;
    if (!Number.isFinite(x)) throw bad(`${file} line ${line}: column ${col} is ${JSON.stringify(v)}, not a number`, [...at, 'file']);
    return x;
  };
  const take = (row: Record<string, unknown>, line: number) => {
    for (const f of order) values.push(num(row[f], line, f));
    if (label !== undefined) {
      const y = num(row[label], line, label);
      if (y !== 0 && y !== 1) throw bad(`${file} line ${line}: label ${label} is ${JSON.stringify(row[label])}; labels are 1 (adverse) or 0`, [...at, 'label']);
      labels.push(y);
    }
  };
  const check = (columns: readonly string[]) => {
    for (const f of [...order, ...(label ? [label] : [])]) if (!columns.includes(f)) throw bad(`${file} has no column ${f}`, [...at, 'file']);
  };
  if (/\.csv$/i.test(file)) {
    for await (const item of readCsvRecords(createReadStream(file), { name: file, onHeader: check })) {
      if (item.error) throw new RiskscoreError('invalid_argument', item.error.message, { path: [...at, 'file'], cause: item.error });
      take(item.values, item.line);
    }
  } else if (/\.(jsonl|ndjson)$/i.test(file)) {
    let first = true;
    for await (const item of readJsonLines(createReadStream(file), { name: file })) {
      if (item.error) throw new RiskscoreError('invalid_argument', item.error.message, { path: [...at, 'file'], cause: item.error });
      if (first) { check(Object.keys(item.value)); first = false; }
      take(item.value, item.line);
    }
  } else throw bad(`${file}: a data file is .csv or .jsonl`, [...at, 'file']);
  const n = values.length / order.length;
  if (n === 0) throw bad(`${file} holds no rows`, [...at, 'file']);
  return { n, rows: Float32Array.from(values), labels: label !== undefined ? Float64Array.from(labels) : null };
}

/** A JSON file of feature rows (`[[…], …]`, null for missing), as a bundle's background holds them. */
async function readRowsJson(file: string, width: number, at: string[]): Promise<{ n: number; rows: Float32Array; bytes: Uint8Array }> {
  let bytes: Uint8Array;
  let rows: unknown;
  try {
    bytes = new Uint8Array(await readFile(file));
    rows = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw bad(`${file} is not a readable JSON file of rows (${(e as Error).message.slice(0, 160)})`, at);
  }
  if (!Array.isArray(rows) || rows.length === 0) throw bad(`${file} must be a non-empty JSON array of rows`, at);
  const out = new Float32Array(rows.length * width);
  rows.forEach((r: unknown, i) => {
    if (!Array.isArray(r) || r.length !== width) throw bad(`${file}: row ${i} must hold ${width} values (the feature order)`, at);
    r.forEach((v: unknown, j) => {
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) throw bad(`${file}: row ${i}, value ${j} is ${JSON.stringify(v)}, not a number or null`, at);
      out[i * width + j] = v === null ? NaN : v;
    });
  });
  return { n: rows.length, rows: out, bytes };
}

/** `count` distinct row indices out of `n`, chosen by a seeded shuffle, in ascending order (all rows when n ≤ count). */
function sampleRows(n: number, count: number, seed: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  if (n <= count) return idx;
  const rng = createSeededRandom(seed);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng.next() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, count).sort((a, b) => a - b);
}

interface BuiltMember { spec: ManifestDraft['members'][number]; bytes: Uint8Array; kindFrom: 'graph' | 'config'; featureNames?: string[] }

async function buildMember(m: MemberConfig, i: number, base: string): Promise<BuiltMember> {
  const at = ['members', i];
  const path = (f: string) => (isAbsolute(f) ? f : join(base, f));
  const readBytes = async (f: string, field: string) => {
    try { return new Uint8Array(await readFile(path(f))); } catch (e) { throw bad(`member ${m.name}: ${f} cannot be read (${(e as Error).message})`, [...at, field]); }
  };
  if ('xgboostJson' in m) {
    let json: unknown;
    try { json = JSON.parse(new TextDecoder().decode(await readBytes(m.xgboostJson, 'xgboostJson'))); } catch (e) {
      if (RiskscoreError.isInstance(e)) throw e;
      throw bad(`member ${m.name}: ${m.xgboostJson} is not JSON (save the model with save_model("model.json"))`, [...at, 'xgboostJson']);
    }
    const { info } = xgboostModelFromJson(json);
    const bytes = onnxFromXgboostJson(json, m.onnxMetadata ? { metadata: m.onnxMetadata } : {});
    const g = treeGraphFromOnnx(bytes);
    return {
      bytes, kindFrom: 'graph', featureNames: info.featureNames ?? undefined,
      spec: { name: m.name, kind: 'trees', file: `${m.name}.onnx`, input: { name: g.inputName, width: g.trees.nFeatures }, output: { name: g.marginOutputName, kind: 'logit' }, weight: m.weight ?? 1, description: m.description ?? `xgboost ${info.version.join('.')} (${info.objective}), converted by riskscore` },
    };
  }
  const bytes = await readBytes(m.onnx, 'onnx');
  const onnx = onnxModelFromBytes(bytes);
  if (onnx.inputs.length !== 1) throw bad(`member ${m.name}: the ONNX graph has ${onnx.inputs.length} inputs (${onnx.inputs.map((v) => v.name).join(', ')}); a member takes one feature row`, [...at, 'onnx']);
  const input = onnx.inputs[0];
  const width = input.shape?.[1];
  if (typeof width !== 'number') throw bad(`member ${m.name}: input ${input.name} has no fixed width (shape ${JSON.stringify(input.shape)})`, [...at, 'onnx']);
  if (m.kind === 'trees') {
    const g = treeGraphFromOnnx(onnx);
    const name = m.output ?? g.marginOutputName;
    // A probability the graph proves is one; otherwise the config's word, else a logit (the loader checks it against the graph).
    const proven = treeOutputKind(g, name);
    const kind = proven === 'probability' ? 'probability' : (m.outputKind ?? 'logit');
    return { bytes, kindFrom: proven === kind ? 'graph' : 'config', spec: { name: m.name, kind: 'trees', file: `${m.name}.onnx`, input: { name: input.name, width }, output: { name, kind }, weight: m.weight ?? 1, description: m.description } };
  }
  const outName = m.output ?? (onnx.outputs.length === 1 ? onnx.outputs[0].name : onnx.outputs.find((o) => o.name === 'logit')?.name);
  if (outName === undefined) throw bad(`member ${m.name}: the graph has outputs ${onnx.outputs.map((o) => o.name).join(', ')}; name the one to read with "output"`, [...at, 'output']);
  const proven = graphOutputKind(onnx, outName)?.kind;
  const kind = proven ?? m.outputKind;
  if (kind === undefined) throw bad(`member ${m.name}: the op that computes output ${outName} does not say whether it is a logit or a probability; set "outputKind"`, [...at, 'outputKind']);
  return { bytes, kindFrom: proven ? 'graph' : 'config', spec: { name: m.name, kind: 'neural', file: `${m.name}.onnx`, input: { name: input.name, width }, output: { name: outName, kind }, weight: m.weight ?? 1, description: m.description } };
}

/**
 * Builds the bundle a config describes into `outDir` (replacing a bundle there) and
 * returns its summary. `config` is the parsed config or the path of its JSON file;
 * relative paths in it are relative to that file (or to `baseDir`).
 *
 * @example
 * const summary = await buildBundle('models/bundle.json', { outDir: 'bundles/german' });
 * summary.validation; // { rows: 300, auc: 0.79, averagePrecision: 0.61, brier: 0.16, … }
 */
export async function buildBundle(config: BundleConfigInput | string, options: { outDir: string; baseDir?: string; signingKey?: BundleKey }): Promise<BuildSummary> {
  if (options === null || typeof options !== 'object' || typeof options.outDir !== 'string' || options.outDir === '') throw bad('buildBundle: options.outDir must name the folder to write the bundle into', ['options', 'outDir']);
  let raw: unknown = config;
  let base = options.baseDir ?? process.cwd();
  if (typeof config === 'string') {
    try { raw = JSON.parse(await readFile(config, 'utf8')); } catch (e) { throw bad(`buildBundle: the config ${config} is not a readable JSON file (${(e as Error).message.slice(0, 160)})`, ['config']); }
    base = options.baseDir ?? dirname(resolve(config));
  }
  const parsed = BundleConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RiskscoreError('invalid_argument', `bundle config: ${issue.path.join('.') || '(root)'}: ${issue.message}`, { path: ['config', ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))], details: { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) } });
  }
  const c: BundleConfig = parsed.data;
  const dataPath = (f: string) => (isAbsolute(f) ? f : join(base, f));
  const built = await Promise.all(c.members.map((m, i) => buildMember(m, i, base)));
  const fromModel = built.find((b) => b.featureNames)?.featureNames;
  const order = c.features?.order ?? fromModel ?? c.input.fields.map((f) => f.name);
  let spec: unknown;
  if (c.features?.spec !== undefined) {
    try { spec = JSON.parse(await readFile(dataPath(c.features.spec), 'utf8')); } catch (e) {
      throw bad(`features.spec: ${c.features.spec} is not a readable JSON file (${(e as Error).message.slice(0, 160)})`, ['config', 'features', 'spec']);
    }
  }
  built.forEach((b, i) => {
    if (b.spec.input.width !== order.length) throw bad(`member ${b.spec.name} takes ${b.spec.input.width} features, the feature order has ${order.length}`, ['members', i]);
  });

  const t = c.training;
  // With a spec, the data files are raw events: one offline pass turns them into feature rows.
  const sampled = spec !== undefined && t.file !== undefined
    ? await specSample(spec, order, { training: dataPath(t.file), validation: c.validation ? { file: dataPath(c.validation.file), label: c.validation.label } : undefined, backgroundRows: t.backgroundRows, referenceRows: t.referenceRows, seed: t.seed })
    : undefined;
  const train = t.file !== undefined && sampled === undefined ? await readTable(dataPath(t.file), order, undefined, ['training']) : undefined;
  const pick = (tab: { rows: Float32Array }, idx: number[]) => {
    const out = new Float32Array(idx.length * order.length);
    idx.forEach((r, k) => out.set(tab.rows.subarray(r * order.length, (r + 1) * order.length), k * order.length));
    return out;
  };
  const toJsonRows = (m: Float32Array, n: number) => Array.from({ length: n }, (_, i) => Array.from(m.subarray(i * order.length, (i + 1) * order.length), (v) => (Number.isNaN(v) ? null : v)));
  const files: Record<string, Uint8Array> = {};
  let backgroundRows: number;
  if (t.background !== undefined) {
    const given = await readRowsJson(dataPath(t.background), order.length, ['training', 'background']);
    files['background.json'] = given.bytes;
    backgroundRows = given.n;
  } else if (sampled) {
    files['background.json'] = new TextEncoder().encode(JSON.stringify(toJsonRows(sampled.background.rows, sampled.background.n)));
    backgroundRows = sampled.background.n;
  } else {
    const idx = sampleRows(train!.n, t.backgroundRows, t.seed);
    files['background.json'] = new TextEncoder().encode(JSON.stringify(toJsonRows(pick(train!, idx), idx.length)));
    backgroundRows = idx.length;
  }
  let reference: Float32Array;
  let referenceRows: number;
  if (t.reference !== undefined) {
    const given = await readRowsJson(dataPath(t.reference), order.length, ['training', 'reference']);
    reference = given.rows;
    referenceRows = given.n;
  } else if (sampled) {
    reference = sampled.reference.rows;
    referenceRows = sampled.reference.n;
  } else {
    const idx = sampleRows(train!.n, t.referenceRows, t.seed + 1);
    reference = pick(train!, idx);
    referenceRows = idx.length;
  }
  for (const b of built) files[b.spec.file] = b.bytes;

  const fixedCal: Calibration = typeof c.calibration === 'object' ? c.calibration : { method: 'none' };
  const draftOf = (weights: number[], bias: number, calibration: Calibration, withReference: boolean): ManifestDraft => ({
    manifestVersion: 1, name: c.name, version: c.version, created: c.created ?? new Date().toISOString(),
    ...(c.description ? { description: c.description } : {}),
    input: c.input, features: spec === undefined ? { order } : { order, spec },
    members: built.map((b, i) => ({ ...b.spec, weight: weights[i] })),
    ensemble: { method: 'logit-weighted', bias }, calibration, decision: c.decision, reasonCodes: c.reasonCodes,
    background: { file: 'background.json' },
    ...(c.metadata ? { training: c.metadata } : {}),
    ...(c.groups?.length ? { groups: c.groups } : {}),
    ...(withReference ? { reference: { file: 'reference.json' } } : {}),
  });
  // Members only (predictFeatures on feature rows): a spec's entity state is not needed, and its clock check is off.
  const scorerOf = async (draft: ManifestDraft) => createScorer(await loadBundle(sealBundle(draft, files).files), { backend: createNodeBackend(), clock: null });

  let weights = built.map((b) => b.spec.weight);
  let bias = c.ensemble === 'stack' ? 0 : c.ensemble.bias;
  let calibration: Calibration = fixedCal;
  let summaryValidation: BuildSummary['validation'];
  const memberAuc: Array<number | undefined> = built.map(() => undefined);
  if (c.validation) {
    const v = sampled?.validation ?? await readTable(dataPath(c.validation.file), order, c.validation.label, ['validation']);
    const labels = v.labels!;
    const s0 = await scorerOf(draftOf(weights, bias, { method: 'none' }, false));
    const { memberLogits } = await s0.predictFeatures(v.rows, v.n);
    await s0.close();
    const k = built.length;
    built.forEach((_, j) => { memberAuc[j] = rocAuc(memberLogits.subarray(j * v.n, (j + 1) * v.n), labels); });
    if (c.ensemble === 'stack') {
      const x = new Float64Array(v.n * k);
      for (let i = 0; i < v.n; i++) for (let j = 0; j < k; j++) x[i * k + j] = memberLogits[j * v.n + i];
      const fit = fitLogistic(x, v.n, k, labels);
      weights = fit.weights;
      bias = fit.bias;
    }
    const z = new Float64Array(v.n);
    for (let i = 0; i < v.n; i++) { let s = bias; for (let j = 0; j < k; j++) s += weights[j] * memberLogits[j * v.n + i]; z[i] = s; }
    if (c.calibration === 'platt') {
      const fit = fitLogistic(z, v.n, 1, labels);
      calibration = { method: 'platt', a: fit.weights[0], b: fit.bias };
    } else if (c.calibration === 'isotonic') {
      const fit = fitIsotonic(z, labels);
      const x: number[] = [];
      const y: number[] = [];
      fit.x.forEach((xv, i) => { if (x.length && x[x.length - 1] === xv) y[y.length - 1] = fit.y[i]; else { x.push(xv); y.push(fit.y[i]); } });
      if (x.length < 2) throw new RiskscoreError('undefined_statistic', 'isotonic calibration: the validation scores are constant; use platt or none', { path: ['calibration'] });
      calibration = { method: 'isotonic', x, y };
    }
    const s1 = await scorerOf(draftOf(weights, bias, calibration, false));
    const { scores } = await s1.predictFeatures(v.rows, v.n);
    await s1.close();
    summaryValidation = { rows: v.n, positives: labels.reduce((a, b) => a + b, 0), auc: rocAuc(scores, labels), averagePrecision: averagePrecision(scores, labels), brier: brierScore(scores, labels) };
  }

  // The drift reference: the training rows' feature distributions and the final ensemble's scores on them.
  const draft = draftOf(weights, bias, calibration, false);
  const sRef = await scorerOf(draft);
  const { scores: refScores } = await sRef.predictFeatures(reference, referenceRows);
  await sRef.close();
  files['reference.json'] = new TextEncoder().encode(JSON.stringify(referenceProfileFromRows(reference, order, { categorical: categoricalFeaturesOf(sRef.bundle.manifest), ...(t.referenceScores ? { scores: refScores } : {}) })));
  let sealed = sealBundle(draftOf(weights, bias, calibration, true), files).files;
  let signedBy: string | undefined;
  if (options.signingKey !== undefined) {
    sealed = await signBundle(sealed, options.signingKey);
    signedBy = (JSON.parse(new TextDecoder().decode(sealed['manifest.sig'])) as { keyId: string }).keyId;
  }
  const loaded = await loadBundle(sealed);
  await replaceBundleDir(options.outDir);
  await writeBundleDir(options.outDir, sealed);
  return {
    id: loaded.id, dir: resolve(options.outDir), features: order.length,
    members: loaded.members.map((m, i) => ({ name: m.spec.name, kind: m.spec.kind, file: m.spec.file, input: m.spec.input.name, output: m.spec.output.name, outputKind: m.output.kind, kindFrom: built[i].kindFrom, weight: m.spec.weight, ...(memberAuc[i] !== undefined ? { validationAuc: memberAuc[i] } : {}) })),
    ensemble: { bias, fitted: c.ensemble === 'stack' }, calibration,
    trainingRows: sampled?.trainingRows ?? train?.n ?? 0, backgroundRows, referenceRows,
    ...(summaryValidation ? { validation: summaryValidation } : {}),
    ...(signedBy ? { signedBy } : {}),
  };
}

/**
 * Makes room in `dir` for a new bundle: an empty or missing folder is fine; a folder
 * holding an earlier riskscore bundle loses exactly that bundle's files (its manifest,
 * signature and the files the manifest names), nothing else; any other non-empty folder
 * is refused, so a wrong `--out` can never delete someone's files.
 */
async function replaceBundleDir(dir: string): Promise<void> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw bad(`buildBundle: ${dir} exists and is not a folder`, ['options', 'outDir']);
    entries = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (entries.length === 0) return;
  let old: { manifestVersion?: unknown; members?: Array<{ file?: unknown }>; reference?: { file?: unknown }; background?: { file?: unknown } } | undefined;
  try {
    old = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch { old = undefined; }
  if (old === undefined || old === null || old.manifestVersion !== 1 || !Array.isArray(old.members)) {
    throw bad(`buildBundle: ${dir} is not empty and holds no riskscore bundle; choose another --out (nothing was deleted)`, ['options', 'outDir']);
  }
  const names = new Set(['manifest.json', 'manifest.sig']);
  for (const f of [...old.members.map((m) => m?.file), old.reference?.file, old.background?.file]) {
    // Only plain names inside the folder: a manifest naming ../x must not make the builder delete it.
    if (typeof f === 'string' && /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(f) && !f.split('/').includes('..')) names.add(f);
  }
  for (const f of names) await rm(join(dir, f), { force: true });
}
