/**
 * `riskscore serve --bundle DIR`: the scoring service as a standalone server on
 * node:http. Auth is on unless `--no-auth` says otherwise: `--api-keys FILE` names a
 * JSON file of `[{ "id": "...", "sha256": "..." }]` (hashApiKey of each key). SIGTERM or
 * SIGINT stops accepting, drains the requests in flight, flushes the monitor and exits.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createModelRegistry, createMonitor, createScorer, RiskscoreError, type Monitor } from '@riskscore/core';
import { createNodeBackend } from '../backend/node-backend';
import { loadBundleFromDir } from '../bundle/bundle-dir';
import { registryFolder } from '../registry/registry-folder';
import { createScoringHandler } from '../service/http-handler';
import { registryServiceScorer } from '../service/registry-scorer';
import type { LoggerLike, ScoringServiceOptions, ServiceMonitor, ServiceScorer } from '../service/scoring-service';
import { createWorkerScorer } from '../worker/worker-scorer';
import { readFlagFile } from './read-flag-file';

export const SERVE_USAGE = `usage: riskscore serve (--bundle DIR | --registry MODELS_DIR) [--host 127.0.0.1] [--port 8080]
                       (--api-keys KEYS.json | --no-auth)
                       [--max-rows 64] [--max-wait-us 0] [--rate 10000] [--burst 20000]
                       [--max-in-flight 4096] [--max-body-bytes 1048576] [--log-level info]
                       [--worker]   (features and models in a worker thread: both cores)
                       [--trust-key PUBLIC.pem ...]   (serve only a bundle signed by one of these keys)
                       [--dashboard [--amount-field TX_AMOUNT] [--group-field SEX]]   (live dashboard at /dashboard)
                       [--admin-keys KEYS.json] [--watch-ms 2000]   (with --registry: models/<name>/<version>/,
                        aliases.json; the admin API under /v1/admin/ behind its own keys)`;

/** A JSON-lines logger on stderr, for when pino is not installed. */
function lineLogger(level: string): LoggerLike {
  const order = ['debug', 'info', 'warn', 'error'];
  const min = Math.max(0, order.indexOf(level));
  const at = (l: string) => (obj: object, msg?: string) => {
    if (order.indexOf(l) < min) return;
    const o = { ...obj } as Record<string, unknown>;
    if (o.err instanceof Error) o.err = { message: o.err.message, code: (o.err as { code?: unknown }).code };
    process.stderr.write(`${JSON.stringify({ level: l, time: Date.now(), msg, ...o })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), isLevelEnabled: (l) => order.indexOf(l) >= min };
}

async function loggerFor(level: string): Promise<LoggerLike> {
  try {
    const pino = (await import('pino')).default as unknown as (o: object) => LoggerLike;
    return pino({ level, base: { service: 'riskscore' } });
  } catch {
    return lineLogger(level);
  }
}

function intFlag(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new RiskscoreError('invalid_argument', `--${name} must be a non-negative integer, got ${JSON.stringify(v)}`, { path: [`--${name}`] });
  return n;
}

function parseServeArgs(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    options: {
      bundle: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '8080' },
      'api-keys': { type: 'string' }, 'no-auth': { type: 'boolean', default: false },
      'max-rows': { type: 'string' }, 'max-wait-us': { type: 'string' }, rate: { type: 'string' }, burst: { type: 'string' },
      'max-in-flight': { type: 'string' }, 'max-body-bytes': { type: 'string' }, 'log-level': { type: 'string', default: 'info' },
      worker: { type: 'boolean', default: false },
      'trust-key': { type: 'string', multiple: true },
      registry: { type: 'string' }, 'admin-keys': { type: 'string' }, 'watch-ms': { type: 'string' },
      dashboard: { type: 'boolean', default: false }, 'amount-field': { type: 'string' }, 'group-field': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
}

/** Starts the server; resolves with it once listening (the process then runs until a signal). */
export async function runServe(args: string[]): Promise<Server> {
  let parsed: ReturnType<typeof parseServeArgs>;
  try {
    parsed = parseServeArgs(args);
  } catch (e) {
    throw new RiskscoreError('invalid_argument', `${(e as Error).message}\n${SERVE_USAGE}`, { path: ['args'] });
  }
  const { values } = parsed;
  if (values.help) { console.log(SERVE_USAGE); process.exit(0); }
  if (!values.bundle === !values.registry) throw new RiskscoreError('invalid_argument', `give one of --bundle DIR or --registry MODELS_DIR\n${SERVE_USAGE}`, { path: [values.bundle ? '--registry' : '--bundle'] });
  if (values.registry && values.worker) throw new RiskscoreError('invalid_argument', `--worker serves one bundle; leave it out with --registry\n${SERVE_USAGE}`, { path: ['--worker'] });
  if ((values['admin-keys'] || values['watch-ms']) && !values.registry) throw new RiskscoreError('invalid_argument', `--admin-keys and --watch-ms go with --registry\n${SERVE_USAGE}`, { path: [values['admin-keys'] ? '--admin-keys' : '--watch-ms'] });
  if (!values['no-auth'] && !values['api-keys']) throw new RiskscoreError('invalid_argument', `pass --api-keys KEYS.json (a JSON array of { id, sha256 }) or --no-auth to accept every caller\n${SERVE_USAGE}`, { path: ['--api-keys'] });
  const port = intFlag(values, 'port')!;
  const logger = await loggerFor(values['log-level']!);
  const readKeys = async (flag: string, file: string) => {
    try {
      return { apiKeys: JSON.parse(await readFile(file, 'utf8')) as never };
    } catch (e) {
      throw new RiskscoreError('invalid_argument', `--${flag}: ${file} is not a readable JSON file (${(e as Error).message.slice(0, 120)})`, { path: [flag, file] });
    }
  };
  const auth: ScoringServiceOptions['auth'] = values['api-keys'] ? await readKeys('api-keys', values['api-keys']) : false;
  let trust: { publicKeys: string[] } | undefined;
  if (values['trust-key'] !== undefined) {
    const publicKeys: string[] = [];
    for (const file of values['trust-key']) publicKeys.push(await readFlagFile(file, '--trust-key'));
    trust = { publicKeys };
  }
  let monitor: Monitor | undefined;
  let serviceMonitor: ServiceMonitor | undefined;
  let scorer: ServiceScorer & { close(): Promise<void> };
  let admin: ScoringServiceOptions['admin'];
  let watcher: { close(): Promise<void> } | undefined;
  if (values.registry) {
    const folder = registryFolder(values.registry, { trust });
    const backend = createNodeBackend();
    const registry = createModelRegistry({ scorerOptions: () => ({ backend }) });
    const { loaded, failed } = await folder.sync(registry, { actor: 'startup' });
    for (const f of failed) logger.warn({ ref: f.ref, code: f.code, err: { message: f.message } }, 'a version in the registry folder was refused');
    const aliases = await folder.aliases();
    for (const [alias, ref] of Object.entries(aliases)) registry.setAlias(alias, ref, { actor: 'startup', reason: 'aliases.json' });
    if (registry.current === undefined) {
      if (loaded.length !== 1) throw new RiskscoreError('model_not_found', `--registry: ${loaded.length} versions loaded and aliases.json names no champion; write { "champion": "name@version" } into ${folder.dir}/aliases.json`, { path: ['--registry'] });
      registry.setAlias('champion', loaded[0], { actor: 'startup', reason: 'the only version' });
    }
    const intervalMs = intFlag(values, 'watch-ms') ?? 2000;
    if (intervalMs > 0) {
      watcher = folder.watch(registry, { intervalMs, onSync: (r) => {
        for (const ref of r.loaded) logger.info({ ref }, 'loaded a new version from the registry folder');
      } });
    }
    if (values['admin-keys']) admin = { registry, auth: await readKeys('admin-keys', values['admin-keys']), load: (n, v) => folder.load(n, v) };
    scorer = Object.assign(registryServiceScorer(registry), { close: () => registry.close() });
  } else if (values.worker) {
    // The monitor observes rows where they are built: in the worker.
    const w = await createWorkerScorer({ bundleDir: values.bundle!, trust });
    scorer = w;
    serviceMonitor = w.monitor;
  } else {
    const bundle = await loadBundleFromDir(values.bundle!, { trust });
    if (bundle.reference) {
      try { monitor = createMonitor(bundle); } catch (e) { logger.warn({ err: e }, 'no drift monitor: the bundle reference profile was refused'); }
    }
    scorer = await createScorer(bundle, { backend: createNodeBackend(), observer: monitor });
    serviceMonitor = monitor;
  }
  const maxRows = intFlag(values, 'max-rows');
  const maxWaitUs = intFlag(values, 'max-wait-us');
  const rate = intFlag(values, 'rate');
  const burst = intFlag(values, 'burst');
  const handler = createScoringHandler({
    scorer, auth, monitor: serviceMonitor, logger, admin,
    microBatch: maxRows === 1 ? false : { maxRows, maxWaitUs },
    rateLimit: rate === 0 ? false : { ratePerSecond: rate ?? 10_000, burst: burst ?? 2 * (rate ?? 10_000) },
    limits: { maxInFlight: intFlag(values, 'max-in-flight'), maxBodyBytes: intFlag(values, 'max-body-bytes') },
    dashboard: values.dashboard ? { amountField: values['amount-field'], groupField: values['group-field'] } : undefined,
  });
  const { service } = handler;
  const server = createServer({ headersTimeout: service.limits.headersTimeoutMs, requestTimeout: service.limits.bodyTimeoutMs + service.limits.headersTimeoutMs, keepAliveTimeout: 5_000 }, handler);
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, values.host, () => resolve()); });
  await service.ready;
  const address = server.address();
  logger.info({ model: scorer.model, address, signedBy: scorer.bundle.signedBy }, 'riskscore serving');
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests in flight');
    server.close();
    const { drained, inFlight } = await service.close({ timeoutMs: 10_000 });
    server.closeIdleConnections();
    await watcher?.close();
    await scorer.close();
    logger.info({ drained, inFlight }, 'stopped');
    process.exit(drained ? 0 : 1);
  };
  process.once('SIGTERM', () => { void stop('SIGTERM'); });
  process.once('SIGINT', () => { void stop('SIGINT'); });
  return server;
}
