// Public API of @riskscore/node: explicit named exports only.
export { createNodeBackend } from './backend/node-backend';
export type { NodeBackendOptions } from './backend/node-backend';
export { loadBundleFromDir, writeBundleDir } from './bundle/bundle-dir';
