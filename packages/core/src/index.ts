// Public API of @riskscore/core: explicit named exports only.

export const VERSION = '0.1.0';

export { RiskscoreError } from './errors';
export type { RiskscoreErrorCode } from './errors';

// ONNX reading and writing
export { onnxModelFromBytes, OnnxDataType } from './onnx/model';
export type { OnnxModel, OnnxNode, OnnxAttribute, OnnxValueInfo, OnnxTensor } from './onnx/model';
export { onnxModelToBytes } from './onnx/write-model';
export type { OnnxModelSpec, OnnxNodeSpec, OnnxTensorSpec, OnnxAttributeValue } from './onnx/write-model';

// Tree ensembles
export { TreeEnsemble, sigmoid } from './trees/tree-ensemble';
export type { TreeAggregate, TreePostTransform, TreeEnsembleInit } from './trees/tree-ensemble';
export { treeGraphFromOnnx, TREE_OP_TYPES } from './trees/tree-ensemble-from-onnx';
export type { TreeGraph } from './trees/tree-ensemble-from-onnx';
export { treeEnsembleFromXgboostJson, xgboostModelFromJson } from './trees/xgboost-json';
export type { XgboostModelInfo } from './trees/xgboost-json';
export { treeEnsembleToOnnx, onnxFromXgboostJson } from './trees/tree-ensemble-to-onnx';
export type { TreeOnnxOptions } from './trees/tree-ensemble-to-onnx';
