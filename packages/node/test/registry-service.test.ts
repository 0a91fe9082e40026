// The registry behind the HTTP service (127.0.0.1, ephemeral port): a models folder
// (models/<name>/<version>/, aliases.json) loaded at start, a version copied in later
// found by the watcher, the admin API behind its own keys (load, promote, roll back,
// experiments, unload), every scoring response naming the version and arm that decided,
// and outcomes attributed through POST /v1/outcomes.
import { cpSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelRegistry, splitPoint, type ModelRegistry } from '@riskscore/core';
import { REPO_ROOT } from '../../../testing/shared-data';
import { createNodeBackend } from '../src/backend/node-backend';
import { registryFolder } from '../src/registry/registry-folder';
import { hashApiKey } from '../src/service/api-keys';
import { createScoringHandler } from '../src/service/http-handler';
import { registryServiceScorer } from '../src/service/registry-scorer';
import { fraudStream, type FraudEvent } from './fraud-stream';

const EX = join(REPO_ROOT, 'examples', 'fdh-fraud');
const FAST = 'fdh-fraud-fast@1.0.0', FULL = 'fdh-fraud@1.0.0', BASE = 'fdh-baseline@1.0.0';
const KEY = 'rk_test_score_0123456789abcdef', ADMIN = 'rk_test_admin_fedcba9876543210';
const clock = (): number => Date.parse('2026-12-01T00:00:00Z');
let dir: string;
let server: Server;
let url: string;
let registry: ModelRegistry;
let watcher: { close(): Promise<void> };
let stream: FraudEvent[];

async function call(method: string, path: string, body?: unknown, key = KEY) {
  const res = await fetch(url + path, {
    method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() as Record<string, any> };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'riskscore-models-'));
  cpSync(join(EX, 'bundle-trees-mlp'), join(dir, 'fdh-fraud-fast', '1.0.0'), { recursive: true });
  cpSync(join(EX, 'bundle-baseline'), join(dir, 'fdh-baseline', '1.0.0'), { recursive: true });
  writeFileSync(join(dir, 'aliases.json'), JSON.stringify({ champion: FAST }));
  stream = await fraudStream({ customers: 200, terminals: 300, seed: 9, startDate: '2026-11-01', days: 2 });
  const folder = registryFolder(dir);
  const backend = createNodeBackend();
  registry = createModelRegistry({ scorerOptions: () => ({ backend, clock }) });
  const first = await folder.sync(registry);
  expect(first).toEqual({ loaded: [BASE, FAST], failed: [] });
  for (const [a, ref] of Object.entries(await folder.aliases())) registry.setAlias(a, ref, { actor: 'startup' });
  watcher = folder.watch(registry, { intervalMs: 50 });
  const handler = createScoringHandler({
    scorer: registryServiceScorer(registry), auth: { apiKeys: [{ id: 'checkout', sha256: hashApiKey(KEY) }] }, microBatch: { maxRows: 16 },
    admin: { registry, auth: { apiKeys: [{ id: 'ops-alice', sha256: hashApiKey(ADMIN) }] }, load: (n, v) => folder.load(n, v) },
  });
  server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await handler.service.ready;
}, 60_000);

afterAll(async () => {
  await watcher?.close();
  await new Promise((r) => server?.close(r));
  await registry?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('registry behind the service', () => {
  it('the admin API takes only admin keys, and scoring keys cannot change the registry', async () => {
    expect((await call('GET', '/v1/admin/registry')).status).toBe(401);
    expect((await call('GET', '/v1/admin/registry', undefined, ADMIN)).status).toBe(200);
    expect((await call('POST', '/v1/score', stream[0], ADMIN)).status).toBe(401);
    const r = await call('GET', '/v1/admin/registry', undefined, ADMIN);
    expect(r.body.aliases).toEqual({ champion: FAST });
    expect(r.body.versions.map((v: { ref: string }) => v.ref).sort()).toEqual([BASE, FAST]);
  });

  it('every score names the version and arm; a version copied into the folder is found, promoted, rolled back, with an audit log', async () => {
    const s1 = await call('POST', '/v1/score', stream[0]);
    expect(s1.status).toBe(200);
    expect(s1.body).toMatchObject({ model: FAST, version: FAST, arm: 'champion', experiment: null });
    expect(s1.headers.get('x-riskscore-model')).toBe(FAST);
    // A new version arrives: copied under a temporary name, renamed into place.
    cpSync(join(EX, 'bundle'), join(dir, 'fdh-fraud', '.incoming'), { recursive: true });
    renameSync(join(dir, 'fdh-fraud', '.incoming'), join(dir, 'fdh-fraud', '1.0.0'));
    for (let i = 0; i < 200 && registry.resolve(FULL) === undefined; i++) await new Promise((r) => setTimeout(r, 25));
    expect(registry.resolve(FULL)).toBe(FULL);
    const p = await call('PUT', '/v1/admin/aliases/champion', { version: FULL, reason: 'better AUC' }, ADMIN);
    expect(p.status).toBe(200);
    expect(p.body.change).toMatchObject({ action: 'alias', actor: 'ops-alice', from: FAST, to: FULL, reason: 'better AUC' });
    const s2 = await call('POST', '/v1/score', stream[1]);
    expect(s2.body).toMatchObject({ version: FULL, model: FULL });
    expect(s2.headers.get('x-riskscore-model')).toBe(FULL);
    const rb = await call('POST', '/v1/admin/aliases/champion/rollback', {}, ADMIN);
    expect(rb.body.change).toMatchObject({ action: 'rollback', from: FULL, to: FAST, actor: 'ops-alice' });
    expect((await call('POST', '/v1/score', stream[2])).body.version).toBe(FAST);
    const audit = (await call('GET', '/v1/admin/registry', undefined, ADMIN)).body.audit.map((a: { action: string; actor: string }) => `${a.action}:${a.actor}`);
    expect(audit).toEqual(['load:folder', 'load:folder', 'alias:startup', 'load:folder', 'alias:ops-alice', 'rollback:ops-alice']);
  });

  it('refusals: unknown version 404, unloading the champion 409, a bad experiment 400 naming the field', async () => {
    const a = await call('PUT', '/v1/admin/aliases/champion', { version: 'nope@9' }, ADMIN);
    expect(a).toMatchObject({ status: 404, body: { code: 'model_not_found', path: ['ref'] } });
    const u = await call('DELETE', `/v1/admin/versions/${encodeURIComponent(FAST)}`, undefined, ADMIN);
    expect(u).toMatchObject({ status: 409, body: { code: 'registry_conflict' } });
    const e = await call('PUT', '/v1/admin/experiment', { name: 'x', key: 'CUSTOMER_ID', arms: [{ name: 'A', target: 'champion', weight: 'heavy' }] }, ADMIN);
    expect(e).toMatchObject({ status: 400, body: { code: 'invalid_argument', path: ['experiment', 'arms', 0, 'weight'] } });
    const l = await call('POST', '/v1/admin/versions', { name: '../etc', version: '1' }, ADMIN);
    expect(l).toMatchObject({ status: 400, body: { path: ['body', 'name'] } });
    expect((await call('PATCH', '/v1/admin/registry', undefined, ADMIN)).status).toBe(405);
    expect((await call('GET', '/v1/admin/nothing', undefined, ADMIN)).status).toBe(404);
  });

  it('an experiment over HTTP: arms by card hash, a shadow, outcomes attributed to every version that scored the event', async () => {
    const exp = { name: 'fast-vs-full', key: 'CUSTOMER_ID', arms: [{ name: 'A', target: 'champion', weight: 1 }, { name: 'B', target: FULL, weight: 1 }], shadows: [{ target: BASE, percent: 100 }] };
    expect((await call('PUT', '/v1/admin/experiment', exp, ADMIN)).status).toBe(200);
    const evs = stream.slice(3, 203);
    const res = await Promise.all(evs.map((e) => call('POST', '/v1/score', e)));
    res.forEach((r, i) => {
      const arm = splitPoint('fast-vs-full', String(evs[i].CUSTOMER_ID)) < 0.5 ? 'A' : 'B';
      expect(r.body).toMatchObject({ arm, version: arm === 'A' ? FAST : FULL, experiment: 'fast-vs-full' });
    });
    await registry.settle();
    const out = await call('POST', '/v1/outcomes', { outcomes: evs.map((e, i) => ({ id: e.TRANSACTION_ID, label: i % 20 === 0 ? 1 : 0 })) });
    expect(out.status).toBe(200);
    expect(out.body.results.every((r: { ok: boolean }) => r.ok)).toBe(true);
    const s = registry.labelled('fast-vs-full')!;
    expect(s.n).toBe(evs.length);
    expect([...s.shadowScores.get(BASE)!.subarray(0, s.n)].every(Number.isFinite)).toBe(true);
    const end = await call('DELETE', '/v1/admin/experiment', undefined, ADMIN);
    expect(end.body.change).toMatchObject({ action: 'end_experiment', experiment: 'fast-vs-full' });
    expect((await call('POST', '/v1/score', stream[300])).body).toMatchObject({ arm: 'champion', experiment: null });
  }, 60_000);
});
