/**
 * Writing a small ONNX ModelProto: a graph of nodes with scalar/list attributes, float
 * tensor inputs and outputs. Enough for the tree converters; field numbers follow
 * https://github.com/onnx/onnx/blob/main/onnx/onnx.proto.
 */
import { RiskscoreError } from '../errors';
import { ProtoWriter } from './protobuf';

/** AttributeProto.AttributeType values. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

/** A node attribute value for onnxModelToBytes: one key names the AttributeProto type and holds the value. */
export type OnnxAttributeValue =
  | { float: number }
  | { int: number }
  | { string: string }
  | { floats: ArrayLike<number> }
  | { ints: ArrayLike<number> }
  | { strings: readonly string[] }
  /** A 1-D tensor: dataType 1 FLOAT, 2 UINT8, 7 INT64, 11 DOUBLE (TensorProto.DataType). */
  | { tensor: { dataType: 1 | 2 | 7 | 11; values: ArrayLike<number> } };

function tensorRawData(dataType: number, values: ArrayLike<number>): Uint8Array {
  const size = dataType === 2 ? 1 : dataType === 1 ? 4 : 8;
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (dataType === 2) v.setUint8(i, values[i]);
    else if (dataType === 1) v.setFloat32(i * 4, values[i], true);
    else if (dataType === 7) v.setBigInt64(i * 8, BigInt(values[i]), true);
    else v.setFloat64(i * 8, values[i], true);
  }
  return out;
}

/**
 * A node to write: operator `opType` in `domain` (default: the ONNX domain), the value
 * names it reads and writes, and its attributes. `name` defaults to `<opType>_<index>`.
 */
export interface OnnxNodeSpec {
  opType: string;
  domain?: string;
  name?: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, OnnxAttributeValue>;
}

/** A float32 graph input or output; a string dimension is symbolic (e.g. 'batch'). */
export interface OnnxTensorSpec {
  name: string;
  shape: Array<number | string>;
  /** TensorProto.DataType; default 1 (FLOAT). */
  elemType?: number;
}

/**
 * What onnxModelToBytes encodes: the producer, opset version per domain (`''`: the
 * default ONNX domain), one graph of nodes with its float inputs and outputs, and
 * optional `metadata_props` (key → value).
 */
export interface OnnxModelSpec {
  producerName: string;
  producerVersion?: string;
  docString?: string;
  opsets: Record<string, number>;
  graphName: string;
  nodes: OnnxNodeSpec[];
  inputs: OnnxTensorSpec[];
  outputs: OnnxTensorSpec[];
  metadata?: Record<string, string>;
}

function writeAttribute(w: ProtoWriter, name: string, v: OnnxAttributeValue): void {
  w.string(1, name);
  if ('float' in v) w.float32(2, v.float).varint(20, AttrType.FLOAT);
  else if ('int' in v) w.varint(3, v.int).varint(20, AttrType.INT);
  else if ('string' in v) w.string(4, v.string).varint(20, AttrType.STRING);
  else if ('floats' in v) w.packedFloats(7, v.floats).varint(20, AttrType.FLOATS);
  else if ('ints' in v) w.packedInts(8, v.ints).varint(20, AttrType.INTS);
  else if ('tensor' in v) {
    const { dataType, values } = v.tensor;
    w.message(5, (t) => t.packedInts(1, [values.length]).varint(2, dataType).bytes(9, tensorRawData(dataType, values))).varint(20, AttrType.TENSOR);
  }
  else {
    for (const s of v.strings) w.string(9, s);
    w.varint(20, AttrType.STRINGS);
  }
}

function writeValueInfo(w: ProtoWriter, t: OnnxTensorSpec): void {
  w.string(1, t.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.varint(1, t.elemType ?? 1);
      tensor.message(2, (shape) => {
        for (const d of t.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.varint(1, d) : dim.string(2, d)));
      });
    }),
  );
}

/**
 * Encodes a model. IR version 8 (ONNX 1.10+), which every ONNX Runtime since 1.10 loads.
 *
 * @example
 * const bytes = onnxModelToBytes({ producerName: 'x', opsets: { '': 13 }, graphName: 'g',
 *   nodes: [{ opType: 'Sigmoid', inputs: ['x'], outputs: ['y'] }],
 *   inputs: [{ name: 'x', shape: ['batch', 1] }], outputs: [{ name: 'y', shape: ['batch', 1] }] });
 */
export function onnxModelToBytes(spec: OnnxModelSpec): Uint8Array {
  if (spec === null || typeof spec !== 'object') {
    throw new RiskscoreError('invalid_argument', 'onnxModelToBytes: spec must be an OnnxModelSpec object', { path: ['spec'] });
  }
  for (const key of ['nodes', 'inputs', 'outputs'] as const) {
    if (!Array.isArray(spec[key])) throw new RiskscoreError('invalid_argument', `onnxModelToBytes: spec.${key} must be an array`, { path: ['spec', key] });
  }
  const w = new ProtoWriter();
  w.varint(1, 8);
  w.string(2, spec.producerName);
  if (spec.producerVersion) w.string(3, spec.producerVersion);
  if (spec.docString) w.string(6, spec.docString);
  w.message(7, (g) => {
    spec.nodes.forEach((n, i) =>
      g.message(1, (nw) => {
        for (const inp of n.inputs) nw.string(1, inp);
        for (const out of n.outputs) nw.string(2, out);
        nw.string(3, n.name ?? `${n.opType}_${i}`);
        nw.string(4, n.opType);
        for (const [name, v] of Object.entries(n.attributes ?? {})) nw.message(5, (a) => writeAttribute(a, name, v));
        if (n.domain) nw.string(7, n.domain);
      }),
    );
    g.string(2, spec.graphName);
    for (const i of spec.inputs) g.message(11, (v) => writeValueInfo(v, i));
    for (const o of spec.outputs) g.message(12, (v) => writeValueInfo(v, o));
  });
  for (const [domain, version] of Object.entries(spec.opsets)) {
    w.message(8, (o) => {
      if (domain) o.string(1, domain);
      o.varint(2, version);
    });
  }
  for (const [key, value] of Object.entries(spec.metadata ?? {})) {
    w.message(14, (m) => m.string(1, key).string(2, value));
  }
  return w.finish();
}
