/**
 * Load-time checks of one member against the manifest, so that a wrong bundle cannot
 * be scored: the ONNX input and output names, element types and shapes; the feature
 * names the model carries (xgboost's `feature_names`, as our converter writes it into
 * the ONNX metadata); and what the named output *is* (a logit or a probability), read
 * from the graph where the graph says it, and refused when the manifest disagrees.
 * The resolved kind is the one both evaluation paths (native trees, the backend) use.
 */
import { RiskscoreError } from '../errors';
import { OnnxDataType, type OnnxModel, type OnnxValueInfo } from '../onnx/model';
import type { TreeEnsemble } from '../trees/tree-ensemble';
import { treeGraphFromOnnx, type TreeGraph } from '../trees/tree-ensemble-from-onnx';
import type { Member } from './manifest';

/** What a member's named output is, and who said so. */
export interface ResolvedOutput {
  /** The output's meaning, as both evaluation paths read it. */
  kind: 'logit' | 'probability';
  /** `graph`: the ONNX graph proves it (a Sigmoid, a LOGISTIC transform, a linear last op); `manifest`: only declared. */
  source: 'graph' | 'manifest';
}

/** Ops whose output is unbounded: a probability cannot come out of them. */
const LINEAR_OPS = new Set(['Gemm', 'MatMul', 'Add']);
/** Ops whose output lies in [0, 1]: a logit cannot come out of them. */
const PROBABILITY_OPS = new Set(['Sigmoid', 'Softmax', 'HardSigmoid']);
/** Ops that only reshape or pass their first input on: the kind is that of what feeds them. */
const SHAPE_OPS = new Set(['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

/**
 * What the graph says the output `name` is: `probability` when a Sigmoid or Softmax
 * makes it, `logit` when a Gemm, MatMul or Add does, following shape-only ops (a
 * Reshape or Squeeze after the last layer, as torch exports often end) back to the op
 * that computed the values; `undefined` when the graph does not say.
 *
 * @example
 * graphOutputKind(onnxModelFromBytes(mlpBytes), 'logit'); // 'logit' (a Gemm)
 */
export function graphOutputKind(onnx: OnnxModel, name: string): { kind: 'logit' | 'probability'; op: string } | undefined {
  let current = name;
  for (let hops = 0; hops < 16; hops++) {
    const producer = onnx.nodes.find((n) => n.outputs.includes(current));
    if (producer === undefined || (producer.domain !== '' && producer.domain !== 'ai.onnx')) return undefined;
    if (PROBABILITY_OPS.has(producer.opType)) return { kind: 'probability', op: producer.opType };
    if (LINEAR_OPS.has(producer.opType)) return { kind: 'logit', op: producer.opType };
    if (!SHAPE_OPS.has(producer.opType) || producer.inputs.length === 0) return undefined;
    current = producer.inputs[0];
  }
  return undefined;
}

const TYPE_NAMES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16', 11: 'float64', 16: 'bfloat16' };
const typeName = (t: number): string => TYPE_NAMES[t] ?? `ONNX type ${t}`;

const mismatch = (message: string, path: Array<string | number>, details?: Record<string, unknown>): RiskscoreError =>
  new RiskscoreError('model_shape_mismatch', message, { path, details });

function find(infos: OnnxValueInfo[], name: string): OnnxValueInfo | undefined {
  return infos.find((v) => v.name === name);
}

/**
 * The input and output the manifest names exist, are float32, and have the shapes a
 * scorer feeds and reads: input `[batch, width]`, output `[batch, 1]` (or `[batch]`).
 * A dimension the graph leaves symbolic is not checked.
 */
export function checkMemberIo(m: Member, i: number, onnx: OnnxModel, width: number): void {
  const at = ['members', i];
  if (m.input.width !== width) {
    throw mismatch(`member ${m.name} declares input width ${m.input.width}, but the feature order has ${width} features`, [...at, 'input', 'width'], { member: m.name, expected: width, actual: m.input.width });
  }
  const input = find(onnx.inputs, m.input.name);
  if (!input) {
    throw mismatch(`member ${m.name}: the ONNX graph has no input '${m.input.name}' (it has ${onnx.inputs.map((v) => v.name).join(', ') || 'none'})`, [...at, 'input', 'name'], { member: m.name });
  }
  if (onnx.inputs.length !== 1) {
    throw mismatch(`member ${m.name}: the ONNX graph has ${onnx.inputs.length} inputs (${onnx.inputs.map((v) => v.name).join(', ')}); a member takes one, the feature row`, [...at, 'input', 'name'], { member: m.name });
  }
  if (input.elemType !== OnnxDataType.FLOAT) {
    throw mismatch(`member ${m.name}: input '${input.name}' is ${typeName(input.elemType)}; the scorer feeds float32 rows (export the model with float32 inputs)`, [...at, 'input', 'name'], { member: m.name, expected: 'float32', actual: typeName(input.elemType) });
  }
  if (input.shape !== null && input.shape.length !== 2) {
    throw mismatch(`member ${m.name}: input '${input.name}' has rank ${input.shape.length}; the scorer feeds [batch, ${width}]`, [...at, 'input', 'name'], { member: m.name, expected: ['batch', width], actual: input.shape });
  }
  const w = input.shape?.[1];
  if (typeof w === 'number' && w !== width) {
    throw mismatch(`member ${m.name}: the ONNX input '${input.name}' is ${w} wide, the feature order has ${width} features`, [...at, 'input', 'width'], { member: m.name, expected: width, actual: w });
  }
  const output = find(onnx.outputs, m.output.name);
  if (!output) {
    throw mismatch(`member ${m.name}: the ONNX graph has no output '${m.output.name}' (it has ${onnx.outputs.map((v) => v.name).join(', ') || 'none'})`, [...at, 'output', 'name'], { member: m.name });
  }
  if (output.elemType !== OnnxDataType.FLOAT) {
    throw mismatch(`member ${m.name}: output '${output.name}' is ${typeName(output.elemType)}; the scorer reads float32 (export the model with a float32 output)`, [...at, 'output', 'name'], { member: m.name, expected: 'float32', actual: typeName(output.elemType) });
  }
  if (output.shape !== null && (output.shape.length < 1 || output.shape.length > 2)) {
    throw mismatch(`member ${m.name}: output '${output.name}' has rank ${output.shape.length}; a member outputs [batch, 1]`, [...at, 'output', 'name'], { member: m.name, expected: ['batch', 1], actual: output.shape });
  }
  const ow = output.shape !== null && output.shape.length === 2 ? output.shape[1] : 1;
  if (typeof ow === 'number' && ow !== 1) {
    throw mismatch(`member ${m.name}: output '${output.name}' has ${ow} columns; a member must output one score`, [...at, 'output', 'name'], { member: m.name, expected: 1, actual: ow });
  }
}

/**
 * The model's own feature names (xgboost's `feature_names` in the ONNX metadata, a JSON
 * array or a comma-separated list) must be the manifest's feature order, name by name:
 * two swapped names would otherwise load and score the wrong columns.
 */
export function checkFeatureNames(m: Member, i: number, onnx: OnnxModel, order: readonly string[]): void {
  const raw = onnx.metadata.get('feature_names');
  if (raw === undefined || raw === '') return;
  let names: unknown;
  try {
    names = raw.trimStart().startsWith('[') ? JSON.parse(raw) : raw.split(',').map((s) => s.trim());
  } catch {
    throw mismatch(`member ${m.name}: its ONNX metadata feature_names is neither a JSON array nor a comma-separated list`, ['members', i, 'file'], { member: m.name });
  }
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    throw mismatch(`member ${m.name}: its ONNX metadata feature_names is not a list of names`, ['members', i, 'file'], { member: m.name });
  }
  if (names.length !== order.length) {
    throw mismatch(`member ${m.name} was trained on ${names.length} features (ONNX metadata feature_names), the manifest's feature order has ${order.length}`, ['features', 'order'], { member: m.name, expected: names.length, actual: order.length });
  }
  for (let k = 0; k < order.length; k++) {
    if (names[k] !== order[k]) {
      throw mismatch(`member ${m.name} reads column ${k} as '${names[k] as string}' (ONNX metadata feature_names), the manifest's feature order has '${order[k]}' there: the columns would be scored as the wrong features`, ['features', 'order', k], {
        member: m.name, index: k, expected: names[k], actual: order[k],
      });
    }
  }
}

/** A tree member's parsed ensemble and what its named output is. */
export interface TreeMemberGraph {
  trees: TreeEnsemble;
  output: ResolvedOutput;
  /** True when the native path must turn the margin it evaluates into a logit (a probability without a logistic link). */
  marginIsProbability: boolean;
}

/**
 * Parses a tree member and resolves its output. With a logistic link in the graph (a
 * Sigmoid after the ensemble, or `post_transform: LOGISTIC`), the link's output is a
 * probability and the ensemble's margin a logit: a manifest that says otherwise is
 * refused, since the native path (which evaluates the margin) and the backend path
 * (which reads the named output) would score it differently. Without a link the graph
 * cannot tell (a random forest averages probabilities) and the manifest's word stands.
 */
/**
 * What a tree graph's output `name` is when the graph has a logistic link (a Sigmoid after
 * the ensemble, or `post_transform: LOGISTIC`): the link's output a probability, the
 * margin before it a logit. Without a link, `undefined`: the graph cannot tell (a random
 * forest averages probabilities).
 */
export function treeOutputKind(g: TreeGraph, name: string): 'logit' | 'probability' | undefined {
  const link = g.outputTransform === 'sigmoid' || g.trees.postTransform === 'LOGISTIC';
  if (!link) return undefined;
  return g.trees.postTransform === 'LOGISTIC' || name === g.outputName ? 'probability' : 'logit';
}

export function resolveTreeMember(m: Member, i: number, onnx: OnnxModel): TreeMemberGraph {
  const g = treeGraphFromOnnx(onnx);
  if (g.trees.nTargets !== 1) throw mismatch(`member ${m.name} has ${g.trees.nTargets} targets; a member must output one score`, ['members', i], { member: m.name });
  if (g.outputTransform === 'softmax') throw mismatch(`member ${m.name}: its tree ensemble ends in a Softmax; a member outputs one score (a logit or a probability)`, ['members', i, 'output', 'name'], { member: m.name });
  if (m.output.name !== g.outputName && m.output.name !== g.marginOutputName) {
    throw mismatch(`member ${m.name}: output '${m.output.name}' is not produced by the tree ensemble (it produces ${[...new Set([g.marginOutputName, g.outputName])].join(', ')})`, ['members', i, 'output', 'name'], { member: m.name });
  }
  const actual = treeOutputKind(g, m.output.name);
  if (actual !== undefined) {
    if (m.output.kind !== actual) {
      throw mismatch(`member ${m.name}: output '${m.output.name}' is a ${actual} (${actual === 'probability' ? 'after' : 'before'} the graph's logistic link), but the manifest says ${m.output.kind}`, ['members', i, 'output', 'kind'], {
        member: m.name, expected: actual, actual: m.output.kind,
      });
    }
    return { trees: g.trees, output: { kind: actual, source: 'graph' }, marginIsProbability: false };
  }
  return { trees: g.trees, output: { kind: m.output.kind, source: 'manifest' }, marginIsProbability: m.output.kind === 'probability' };
}

/**
 * A neural member's output kind, as {@link graphOutputKind} reads it; a manifest that
 * says otherwise is refused. Where the graph does not say, the manifest's word stands.
 */
export function resolveNeuralOutput(m: Member, i: number, onnx: OnnxModel): ResolvedOutput {
  const proven = graphOutputKind(onnx, m.output.name);
  if (proven === undefined) return { kind: m.output.kind, source: 'manifest' };
  if (proven.kind !== m.output.kind) {
    throw mismatch(`member ${m.name}: output '${m.output.name}' comes out of a ${proven.op} node, so it is a ${proven.kind}, but the manifest says ${m.output.kind}`, ['members', i, 'output', 'kind'], {
      member: m.name, expected: proven.kind, actual: m.output.kind, op: proven.op,
    });
  }
  return { kind: proven.kind, source: 'graph' };
}
