/**
 * Reading an ONNX `ModelProto` (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto)
 * into a light structure: the graph's nodes with their attributes, and the graph's
 * inputs and outputs with shapes. Initializers (the weights of neural members) are
 * skipped, not copied: core only needs them to be in the bytes it hands the backend.
 */
import { RiskscoreError } from '../errors';
import { ProtoReader, WireType } from './protobuf';

/** ONNX TensorProto.DataType values that core reads. */
export const OnnxDataType = { FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7, STRING: 8, DOUBLE: 11 } as const;

/** A tensor attribute value, widened to doubles (or strings). */
export interface OnnxTensor {
  dims: number[];
  dataType: number;
  values: number[];
  strings: string[];
}

/** One node attribute; only the fields its type uses are set. */
export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: string;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
  strings?: string[];
}

/** One graph node: its operator (`opType` in `domain`, `''` for the default ONNX domain), the value names it reads and writes, and its attributes by name. */
export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

/** A graph input or output: a dimension is a number, a symbolic name, or null when unknown. */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  shape: Array<number | string | null> | null;
}

/**
 * A model as onnxModelFromBytes reads it: IR version, producer, opset version per domain
 * (`''`: the default ONNX domain), the graph's nodes, inputs (initializers left out) and
 * outputs, and the model's metadata.
 */
export interface OnnxModel {
  irVersion: number;
  producerName: string;
  opsets: Map<string, number>;
  nodes: OnnxNode[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Names of the graph's initializers (weights); they are not decoded. */
  initializerNames: Set<string>;
  /** The model's `metadata_props` (key → value), e.g. xgboost's `feature_names` as our converter writes it. */
  metadata: Map<string, string>;
}

function readTensor(r: ProtoReader): OnnxTensor {
  const t: OnnxTensor = { dims: [], dataType: 0, values: [], strings: [] };
  let raw: Uint8Array | null = null;
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1) r.ints(w, t.dims);
    else if (f === 2) t.dataType = r.varint();
    else if (f === 4) r.floats(w, t.values);
    else if (f === 5 || f === 7) r.ints(w, t.values);
    else if (f === 6) t.strings.push(r.string());
    else if (f === 9) raw = r.bytes();
    else if (f === 10) {
      if (w === WireType.LEN) {
        const b = r.bytes();
        const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
        for (let p = 0; p + 8 <= b.length; p += 8) t.values.push(v.getFloat64(p, true));
      } else t.values.push(r.float64());
    } else r.skip(w);
  }
  if (raw) {
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (t.dataType === OnnxDataType.FLOAT) for (let p = 0; p + 4 <= raw.length; p += 4) t.values.push(v.getFloat32(p, true));
    else if (t.dataType === OnnxDataType.DOUBLE) for (let p = 0; p + 8 <= raw.length; p += 8) t.values.push(v.getFloat64(p, true));
    else if (t.dataType === OnnxDataType.INT64) for (let p = 0; p + 8 <= raw.length; p += 8) t.values.push(Number(v.getBigInt64(p, true)));
    else if (t.dataType === OnnxDataType.INT32) for (let p = 0; p + 4 <= raw.length; p += 4) t.values.push(v.getInt32(p, true));
    else if (t.dataType === OnnxDataType.UINT8) for (let p = 0; p < raw.length; p++) t.values.push(raw[p]);
  }
  return t;
}

function readAttribute(r: ProtoReader): OnnxAttribute {
  const a: OnnxAttribute = { name: '', type: 0 };
  while (!r.done) {
    const [f, w] = r.tag();
    switch (f) {
      case 1: a.name = r.string(); break;
      case 20: a.type = r.varint(); break;
      case 2: a.f = r.float32(); break;
      case 3: a.i = r.varint(); break;
      case 4: a.s = r.string(); break;
      case 5: { const [s, e] = r.bytesRange(); a.t = readTensor(new ProtoReader(r.buf, s, e)); break; }
      case 7: r.floats(w, (a.floats ??= [])); break;
      case 8: r.ints(w, (a.ints ??= [])); break;
      case 9: (a.strings ??= []).push(r.string()); break;
      default: r.skip(w);
    }
  }
  return a;
}

function readNode(r: ProtoReader): OnnxNode {
  const n: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() };
  while (!r.done) {
    const [f, w] = r.tag();
    switch (f) {
      case 1: n.inputs.push(r.string()); break;
      case 2: n.outputs.push(r.string()); break;
      case 3: n.name = r.string(); break;
      case 4: n.opType = r.string(); break;
      case 7: n.domain = r.string(); break;
      case 5: { const [s, e] = r.bytesRange(); const a = readAttribute(new ProtoReader(r.buf, s, e)); n.attributes.set(a.name, a); break; }
      default: r.skip(w);
    }
  }
  return n;
}

function readShape(r: ProtoReader): Array<number | string | null> {
  const dims: Array<number | string | null> = [];
  while (!r.done) {
    const [f, w] = r.tag();
    if (f !== 1) { r.skip(w); continue; }
    const [s, e] = r.bytesRange();
    const d = new ProtoReader(r.buf, s, e);
    let dim: number | string | null = null;
    while (!d.done) {
      const [df, dw] = d.tag();
      if (df === 1) dim = d.varint();
      else if (df === 2) dim = d.string();
      else d.skip(dw);
    }
    dims.push(dim);
  }
  return dims;
}

function readValueInfo(r: ProtoReader): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', elemType: 0, shape: null };
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1) v.name = r.string();
    else if (f === 2) {
      const [s, e] = r.bytesRange();
      const tp = new ProtoReader(r.buf, s, e);
      while (!tp.done) {
        const [tf, tw] = tp.tag();
        if (tf !== 1) { tp.skip(tw); continue; }
        const [ts, te] = tp.bytesRange();
        const tt = new ProtoReader(r.buf, ts, te);
        while (!tt.done) {
          const [ef, ew] = tt.tag();
          if (ef === 1) v.elemType = tt.varint();
          else if (ef === 2) { const [ss, se] = tt.bytesRange(); v.shape = readShape(new ProtoReader(r.buf, ss, se)); }
          else tt.skip(ew);
        }
      }
    } else r.skip(w);
  }
  return v;
}

function readInitializerName(r: ProtoReader): string {
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 8) return r.string();
    r.skip(w);
  }
  return '';
}

/**
 * Decodes ONNX model bytes. Throws `invalid_onnx` for bytes that are not a complete
 * ModelProto with a graph (a truncated file fails here, before any model runs).
 *
 * @example
 * const model = onnxModelFromBytes(bytes);
 * model.inputs[0]; // { name: 'features', elemType: 1, shape: ['batch', 23] }
 */
export function onnxModelFromBytes(bytes: Uint8Array): OnnxModel {
  if (!(bytes instanceof Uint8Array)) {
    throw new RiskscoreError('invalid_argument', 'onnxModelFromBytes: bytes must be a Uint8Array holding an ONNX ModelProto (read the .onnx file as bytes)', { path: ['bytes'] });
  }
  const model: OnnxModel = {
    irVersion: 0, producerName: '', opsets: new Map(), nodes: [], inputs: [], outputs: [], initializerNames: new Set(), metadata: new Map(),
  };
  let sawGraph = false;
  try {
    const r = new ProtoReader(bytes);
    while (!r.done) {
      const [f, w] = r.tag();
      if (f === 1 && w === WireType.VARINT) model.irVersion = r.varint();
      else if (f === 2 && w === WireType.LEN) model.producerName = r.string();
      else if (f === 8 && w === WireType.LEN) {
        const [s, e] = r.bytesRange();
        const o = new ProtoReader(bytes, s, e);
        let domain = '';
        let version = 0;
        while (!o.done) {
          const [of, ow] = o.tag();
          if (of === 1) domain = o.string();
          else if (of === 2) version = o.varint();
          else o.skip(ow);
        }
        model.opsets.set(domain, version);
      } else if (f === 14 && w === WireType.LEN) {
        // StringStringEntryProto { key = 1; value = 2 }
        const [s, e] = r.bytesRange();
        const o = new ProtoReader(bytes, s, e);
        let key = '';
        let value = '';
        while (!o.done) {
          const [of, ow] = o.tag();
          if (of === 1 && ow === WireType.LEN) key = o.string();
          else if (of === 2 && ow === WireType.LEN) value = o.string();
          else o.skip(ow);
        }
        model.metadata.set(key, value);
      } else if (f === 7 && w === WireType.LEN) {
        sawGraph = true;
        const [s, e] = r.bytesRange();
        const g = new ProtoReader(bytes, s, e);
        while (!g.done) {
          const [gf, gw] = g.tag();
          if (gw !== WireType.LEN) { g.skip(gw); continue; }
          const [ns, ne] = g.bytesRange();
          const sub = new ProtoReader(bytes, ns, ne);
          if (gf === 1) model.nodes.push(readNode(sub));
          else if (gf === 11) model.inputs.push(readValueInfo(sub));
          else if (gf === 12) model.outputs.push(readValueInfo(sub));
          else if (gf === 5) model.initializerNames.add(readInitializerName(sub));
        }
      } else r.skip(w);
    }
  } catch (e) {
    if (e instanceof RangeError) {
      throw new RiskscoreError('invalid_onnx', `ONNX bytes are corrupt: ${e.message}`, { cause: e });
    }
    throw e;
  }
  if (!sawGraph || model.nodes.length === 0) {
    throw new RiskscoreError('invalid_onnx', 'ONNX bytes hold no graph with nodes: the file is truncated or is not an ONNX model');
  }
  // Graph inputs that are initializers are not real inputs (older exporters list them).
  model.inputs = model.inputs.filter((i) => !model.initializerNames.has(i.name));
  return model;
}
