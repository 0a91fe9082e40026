// Public API of @riskscore/browser: explicit named exports only.
export { createWebBackend } from './web-backend';
export type { WebBackendOptions } from './web-backend';
export { loadBundleFromUrl } from './load-bundle-url';
