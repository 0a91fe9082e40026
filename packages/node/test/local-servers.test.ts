// The local redis-server / nats-server helpers (packages/node/src/servers) against the real
// binaries, with real clients: ioredis SET/GET, kill + restart with an append-only file,
// pause/resume, nats + JetStream publish acks, a config with a subject mapping, and the
// typed errors. Without the binaries the tests skip, except under CI=true where they fail.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { isRiskscoreError } from '@riskscore/core';
import { startRedisServer, type LocalServer } from '../src/redis';
import { startNatsServer } from '../src/nats';

const REDIS_BIN = '/usr/bin/redis-server';
const NATS_BIN = '/usr/sbin/nats-server';
const CI = process.env.CI === 'true';
const haveRedis = existsSync(REDIS_BIN) || CI;
const haveNats = existsSync(NATS_BIN) || CI;
if (!haveRedis) console.warn(`local-servers: ${REDIS_BIN} not found; redis-server tests skipped`);
if (!haveNats) console.warn(`local-servers: ${NATS_BIN} not found; nats-server tests skipped`);

const started: LocalServer[] = [];
const track = (s: LocalServer): LocalServer => (started.push(s), s);
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

/** The error a promise rejects with (fails when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe.skipIf(!haveRedis)('startRedisServer', () => {
  it('serves ioredis; stop() removes its temporary folder and is idempotent', async () => {
    const s = track(await startRedisServer());
    expect(s.url).toBe(`redis://127.0.0.1:${s.port}`);
    expect(s.running).toBe(true);
    expect(s.pid).toBeTypeOf('number');
    const client = new Redis(s.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      expect(await client.set('k', 'v')).toBe('OK');
      expect(await client.get('k')).toBe('v');
    } finally {
      client.disconnect();
    }
    expect(existsSync(s.dir)).toBe(true);
    await s.stop();
    expect(s.running).toBe(false);
    expect(s.pid).toBeUndefined();
    expect(existsSync(s.dir)).toBe(false);
    await s.stop();
    expect(s.log()).toContain('Ready to accept connections');
  });

  it('keeps a key across kill() + restart() with appendOnly, on the same port and folder', async () => {
    const s = track(await startRedisServer({ appendOnly: true }));
    const port = s.port;
    const client = new Redis(s.url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    await client.connect();
    await client.set('survives', 'yes');
    client.disconnect();
    const pid = s.pid;
    await s.kill();
    expect(s.running).toBe(false);
    expect(existsSync(s.dir)).toBe(true);
    await s.restart();
    expect(s.running).toBe(true);
    expect(s.pid).not.toBe(pid);
    expect(s.port).toBe(port);
    const again = new Redis(s.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await again.connect();
      expect(await again.get('survives')).toBe('yes');
    } finally {
      again.disconnect();
    }
  });

  it('pause() makes commands time out; resume() recovers', async () => {
    const s = track(await startRedisServer());
    const client = new Redis(s.url, { lazyConnect: true, commandTimeout: 200, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      await client.set('a', '1');
      await s.pause();
      expect(s.running).toBe(true);
      const e = await rejection(client.get('a'));
      expect(String(e)).toMatch(/timed out/i);
      await s.resume();
      expect(await client.get('a')).toBe('1');
    } finally {
      client.disconnect();
    }
  });

  it('two servers at once get different ports and folders', async () => {
    const [a, b] = await Promise.all([startRedisServer(), startRedisServer()]);
    track(a);
    track(b);
    expect(a.port).not.toBe(b.port);
    expect(a.dir).not.toBe(b.dir);
  });

  it('refuses a port in use and bad options with invalid_argument', async () => {
    const s = track(await startRedisServer());
    const e = await rejection(startRedisServer({ port: s.port }));
    expect(isRiskscoreError(e) && e.code).toBe('invalid_argument');
    expect((e as Error).message).toContain(String(s.port));
    const bad = await rejection(startRedisServer({ port: 70000 }));
    expect(isRiskscoreError(bad) && bad.code).toBe('invalid_argument');
  });

  it('reports a server that exits at start as state_unavailable, with its log', async () => {
    const e = await rejection(startRedisServer({ args: ['--no-such-option', 'x'] }));
    expect(isRiskscoreError(e) && e.code).toBe('state_unavailable');
    expect((e as Error).message).toMatch(/redis-server .* on 127\.0\.0\.1:\d+ exited/);
    expect((e as Error).message).toContain('no-such-option');
  });
});

describe('missing binary', () => {
  it('throws invalid_argument naming the binary', async () => {
    for (const start of [startRedisServer, startNatsServer]) {
      const e = await rejection(start({ binary: '/nonexistent/bin/server-x' }));
      expect(isRiskscoreError(e) && e.code).toBe('invalid_argument');
      expect((e as Error).message).toContain('/nonexistent/bin/server-x');
    }
  });
});

describe.skipIf(!haveNats)('startNatsServer', () => {
  it('serves a JetStream stream: publish acks count up; stop() removes the folder', async () => {
    const s = track(await startNatsServer());
    expect(s.url).toBe(`nats://127.0.0.1:${s.port}`);
    const nc = await connect({ servers: s.url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'EV', subjects: ['ev.>'] });
      const js = jetstream(nc);
      expect((await js.publish('ev.a', 'one')).seq).toBe(1);
      expect((await js.publish('ev.b', 'two')).seq).toBe(2);
    } finally {
      await nc.close();
    }
    expect(existsSync(`${s.dir}/jetstream`)).toBe(true);
    await s.stop();
    expect(existsSync(s.dir)).toBe(false);
  });

  it('starts with a config holding a partition mapping, and maps subjects', async () => {
    const s = track(await startNatsServer({ config: 'mappings = { "ev.*": "ev.{{partition(4,1)}}.{{wildcard(1)}}" }' }));
    const nc = await connect({ servers: s.url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'EV', subjects: ['ev.*.*'] });
      const ack = await jetstream(nc).publish('ev.customer-7', 'x');
      expect(ack.seq).toBe(1);
      const msg = await jsm.streams.getMessage('EV', { seq: 1 });
      expect(msg?.subject).toMatch(/^ev\.[0-3]\.customer-7$/);
    } finally {
      await nc.close();
    }
  });

  it('keeps a stream across kill() + restart(); a bad config is state_unavailable', async () => {
    const s = track(await startNatsServer());
    let nc = await connect({ servers: s.url });
    await (await jetstreamManager(nc)).streams.add({ name: 'KEEP', subjects: ['keep'] });
    await jetstream(nc).publish('keep', 'x');
    await nc.close();
    await s.kill();
    await s.restart();
    nc = await connect({ servers: s.url });
    try {
      const info = await (await jetstreamManager(nc)).streams.info('KEEP');
      expect(info.state.messages).toBe(1);
    } finally {
      await nc.close();
    }
    const e = await rejection(startNatsServer({ config: 'this is { not valid' }));
    expect(isRiskscoreError(e) && e.code).toBe('state_unavailable');
    expect((e as Error).message).toContain('nats-server');
  });
});
