/**
 * A model registry backed by a folder: `models/<name>/<version>/` holds one bundle each
 * (as `riskscore bundle` writes it), and an optional `models/aliases.json` names the
 * aliases to set at start (`{ "champion": "fdh-fraud@1.0.0" }`). `sync` loads every
 * version not loaded yet; `watch` syncs every `intervalMs`, so a version copied into the
 * folder is loaded (all or nothing: verified, signed when trust is given, warmed) without
 * a restart. A version is loaded from its folder only when its manifest's name and
 * version equal the folder's names.
 *
 * Copy a new version in under a temporary name and rename it into place: a watcher that
 * meets a half-copied folder refuses it (hashes), and tries it again on the next sync.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isRiskscoreError, RiskscoreError, type LoadBundleOptions, type LoadedBundle, type ModelRegistry } from '@riskscore/core';
import { loadBundleFromDir } from '../bundle/bundle-dir';

/** A refusal's code and words (anything untyped is an internal error). */
const failure = (e: unknown): { code: string; message: string } =>
  isRiskscoreError(e) ? { code: e.code, message: e.message } : { code: 'internal_error', message: e instanceof Error ? e.message : String(e) };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A folder of model versions (`<dir>/<name>/<version>/`) and its `aliases.json`, as registryFolder opens it (see the module comment). */
export interface RegistryFolder {
  readonly dir: string;
  /** The versions in the folder, `name@version`, each with its folder. */
  list(): Promise<Array<{ ref: string; name: string; version: string; dir: string }>>;
  /** Loads one version's bundle from its folder (not into a registry). */
  load(name: string, version: string): Promise<LoadedBundle>;
  /** `aliases.json`, or {} when there is none. */
  aliases(): Promise<Record<string, string>>;
  /** Loads into `registry` every version of the folder it does not hold yet; a version that fails is reported and tried again next time. */
  sync(registry: ModelRegistry, options?: { actor?: string }): Promise<{ loaded: string[]; failed: Array<{ ref: string; code: string; message: string }> }>;
  /** Syncs every `intervalMs` (default 2 s) until closed. */
  watch(registry: ModelRegistry, options?: { intervalMs?: number; onSync?: (r: Awaited<ReturnType<RegistryFolder['sync']>>) => void }): {
    /** Stops watching; resolves once a sync in progress has finished. */
    close(): Promise<void>;
  };
}

/**
 * @example
 * const folder = registryFolder('models', { trust: { publicKeys: [key] } });
 * const registry = createModelRegistry({ scorerOptions: () => ({ backend: createNodeBackend() }) });
 * await folder.sync(registry);
 * for (const [alias, ref] of Object.entries(await folder.aliases())) registry.setAlias(alias, ref);
 */
export function registryFolder(dir: string, options: LoadBundleOptions = {}): RegistryFolder {
  if (typeof dir !== 'string' || dir.length === 0) throw new RiskscoreError('invalid_argument', 'registryFolder: expected the folder path', { path: ['dir'] });
  const root = resolve(dir);
  const checkName = (v: unknown, what: 'name' | 'version'): string => {
    if (typeof v !== 'string' || !NAME.test(v) || v === '.' || v === '..') {
      throw new RiskscoreError('invalid_argument', `a model ${what} is 1–128 letters, digits, '.', '_' or '-' (not '.' or '..'), got ${JSON.stringify(v)}`, { path: [what] });
    }
    return v;
  };
  const subdirs = async (d: string): Promise<string[]> => {
    try {
      return (await readdir(d, { withFileTypes: true })).filter((e) => e.isDirectory() && NAME.test(e.name) && !e.name.startsWith('.')).map((e) => e.name).sort();
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return [];
      throw new RiskscoreError('bundle_integrity', `registryFolder: ${d} cannot be read: ${(e as Error).message}`, { path: ['dir'], cause: e });
    }
  };
  const folder: RegistryFolder = {
    dir: root,
    async list() {
      const out = [];
      for (const name of await subdirs(root)) {
        for (const version of await subdirs(join(root, name))) {
          const d = join(root, name, version);
          if ((await stat(join(d, 'manifest.json')).catch(() => null))?.isFile()) out.push({ ref: `${name}@${version}`, name, version, dir: d });
        }
      }
      return out;
    },
    async load(name, version) {
      checkName(name, 'name');
      checkName(version, 'version');
      const d = join(root, name, version);
      if (!(await stat(d).catch(() => null))?.isDirectory()) {
        throw new RiskscoreError('model_not_found', `no folder ${name}/${version} in the registry folder ${root}`, { path: ['version'], details: { name, version } });
      }
      const bundle = await loadBundleFromDir(d, options);
      if (bundle.manifest.name !== name || bundle.manifest.version !== version) {
        throw new RiskscoreError('registry_conflict', `the folder ${name}/${version} holds ${bundle.id}: a version's folder must be named by its manifest (name/version)`, { path: ['version'], details: { folder: `${name}/${version}`, manifest: bundle.id } });
      }
      return bundle;
    },
    async aliases() {
      let text: string;
      try {
        text = await readFile(join(root, 'aliases.json'), 'utf8');
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return {};
        throw new RiskscoreError('bundle_integrity', `registryFolder: aliases.json cannot be read: ${(e as Error).message}`, { path: ['aliases.json'], cause: e });
      }
      let parsed: unknown;
      try { parsed = JSON.parse(text); } catch (e) {
        throw new RiskscoreError('invalid_argument', `aliases.json is not JSON: ${(e as Error).message}`, { path: ['aliases.json'] });
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
        throw new RiskscoreError('invalid_argument', 'aliases.json must be an object of alias → "name@version"', { path: ['aliases.json'] });
      }
      return parsed as Record<string, string>;
    },
    async sync(registry, o = {}) {
      const have = new Set(registry.versions().map((v) => v.ref));
      const loaded: string[] = [];
      const failed: Array<{ ref: string; code: string; message: string }> = [];
      for (const v of await folder.list()) {
        if (have.has(v.ref)) continue;
        try {
          await registry.load(await folder.load(v.name, v.version), { actor: o.actor ?? 'folder', reason: `found in ${v.dir}` });
          loaded.push(v.ref);
        } catch (e) {
          failed.push({ ref: v.ref, ...failure(e) });
        }
      }
      return { loaded, failed };
    },
    watch(registry, o = {}) {
      const intervalMs = o.intervalMs ?? 2000;
      if (!Number.isFinite(intervalMs) || intervalMs < 10) throw new RiskscoreError('invalid_argument', `registryFolder.watch: intervalMs must be at least 10, got ${String(intervalMs)}`, { path: ['intervalMs'] });
      let running: Promise<unknown> = Promise.resolve();
      let stopped = false;
      const timer = setInterval(() => {
        // One sync at a time: a slow load is not started twice.
        running = running.then(async () => {
          if (stopped) return;
          const r = await folder.sync(registry).catch((e) => ({ loaded: [], failed: [{ ref: root, ...failure(e) }] }));
          o.onSync?.(r);
        });
      }, intervalMs);
      timer.unref?.();
      return { async close() { stopped = true; clearInterval(timer); await running; } };
    },
  };
  return folder;
}
