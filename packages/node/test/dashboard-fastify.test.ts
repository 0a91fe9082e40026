// The dashboard behind the Fastify plugin: the page, the snapshot JSON, and the event
// stream (Fastify hands the raw response over) sending snapshots until the app closes.
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { createScorer, type Scorer } from '@riskscore/core';
import { REPO_ROOT } from '../../../testing/shared-data';
import { createNodeBackend } from '../src/backend/node-backend';
import { loadBundleFromDir } from '../src/bundle/bundle-dir';
import { riskscoreFastify } from '../src/fastify';

let scorer: Scorer | undefined;
afterAll(async () => { await scorer?.close(); });

describe('dashboard over Fastify', () => {
  it('serves the page and the snapshot, streams snapshots, and ends the stream on close', async () => {
    const bundle = await loadBundleFromDir(join(REPO_ROOT, 'examples', 'fdh-fraud', 'bundle-trees-mlp'));
    scorer = await createScorer(bundle, { backend: createNodeBackend(), clock: () => Date.parse('2026-12-01T00:00:00Z') });
    const app = Fastify();
    await app.register(riskscoreFastify, { scorer, auth: false, dashboard: { intervalMs: 100 } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const page = await fetch(`${origin}/dashboard`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="panel-business"');
    const snap = await (await fetch(`${origin}/dashboard/api/snapshot`)).json() as { model: string; risk: { totals: Record<string, number> } };
    expect(snap.model).toBe(scorer.model);
    expect(snap.risk.totals).toEqual({ approve: 0, review: 0, decline: 0 });
    const res = await fetch(`${origin}/dashboard/events`);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: snapshot')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/^retry: \d+/);
    const closing = app.close();
    for (;;) { const { done } = await reader.read(); if (done) break; } // the dashboard ends its streams
    await closing;
  });
});
