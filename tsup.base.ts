import { defineConfig } from 'tsup';

/** The build every package shares: ESM + CJS + .d.ts, ES2022, source maps. */
export function packageBuild(entry: string[] | Record<string, string>, extra: { shims?: boolean } = {}) {
  return defineConfig({ entry, format: ['esm', 'cjs'], dts: true, sourcemap: true, clean: true, target: 'es2022', ...extra });
}
