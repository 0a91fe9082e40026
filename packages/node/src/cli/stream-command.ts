/**
 * `riskscore stream --nats URL --bundle DIR`: a stream scorer on NATS JetStream. It claims
 * the partitions it is given (default all) and, unless `--no-takeover`, any other whose
 * lease runs out; prints one JSON line `{"ready": …}` once its claimed partitions are
 * being scored and, with `--stats-ms`, a JSON line of statistics that often; SIGTERM or
 * SIGINT stops it in order (each partition finishes what it read, writes a snapshot and
 * gives its lease back) and exits 0.
 */
import { parseArgs } from 'node:util';
import { RiskscoreError } from '@riskscore/core';
import { createNodeBackend } from '../backend/node-backend';
import { loadBundleFromDir } from '../bundle/bundle-dir';

export const STREAM_USAGE = `riskscore stream --nats URL --bundle DIR [--prefix riskscore] [--partitions 8]
                       [--claim 0,1,...] [--no-takeover] [--lease-ms 3000]
                       [--snapshot-every 50000] [--snapshot-interval-ms 30000] [--stats-ms 0] [--owner NAME]
                       (stream scoring on NATS JetStream; the server needs the mapping this prints with --print-mapping)`;

function intFlag(values: Record<string, unknown>, name: string, min: number): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new RiskscoreError('invalid_argument', `--${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}\nusage: ${STREAM_USAGE}`, { path: [`--${name}`] });
  return n;
}

export async function runStreamCommand(args: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args, strict: true, allowPositionals: false,
      options: {
        nats: { type: 'string' }, bundle: { type: 'string' }, prefix: { type: 'string' }, partitions: { type: 'string' },
        claim: { type: 'string' }, 'no-takeover': { type: 'boolean' }, 'lease-ms': { type: 'string' },
        'snapshot-every': { type: 'string' }, 'snapshot-interval-ms': { type: 'string' }, 'stats-ms': { type: 'string' },
        owner: { type: 'string' }, 'print-mapping': { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new RiskscoreError('invalid_argument', `${(e as Error).message}\nusage: ${STREAM_USAGE}`, { path: ['args'] });
  }
  const { natsLayout } = await import('../stream/nats-layout');
  const partitions = intFlag(values, 'partitions', 1) ?? 8;
  const prefix = values.prefix as string | undefined;
  if (values['print-mapping']) { console.log(natsLayout({ prefix, partitions }).mapping); return 0; }
  if (typeof values.nats !== 'string' || typeof values.bundle !== 'string') throw new RiskscoreError('invalid_argument', `--nats URL and --bundle DIR are required\nusage: ${STREAM_USAGE}`, { path: ['args'] });
  let claim: number[] | undefined;
  if (typeof values.claim === 'string') {
    claim = values.claim.split(',').map((s) => Number(s.trim()));
    const bad = claim.find((p) => !Number.isInteger(p) || p < 0 || p >= partitions);
    if (bad !== undefined || claim.length === 0) throw new RiskscoreError('invalid_argument', `--claim must list partitions from 0 to ${partitions - 1}, got ${JSON.stringify(values.claim)}\nusage: ${STREAM_USAGE}`, { path: ['--claim'] });
  }
  const leaseMs = intFlag(values, 'lease-ms', 100);
  const snapshotEvery = intFlag(values, 'snapshot-every', 1);
  const snapshotIntervalMs = intFlag(values, 'snapshot-interval-ms', 1);
  const statsMs = intFlag(values, 'stats-ms', 0) ?? 0;

  let connect: typeof import('@nats-io/transport-node').connect;
  try {
    ({ connect } = await import('@nats-io/transport-node'));
  } catch {
    throw new RiskscoreError('invalid_argument', 'riskscore stream needs the NATS client: npm install @nats-io/transport-node @nats-io/jetstream @nats-io/kv @nats-io/obj', { path: ['args'] });
  }
  const { createNatsStreamScorer } = await import('../stream/nats-stream-scorer');
  const bundle = await loadBundleFromDir(values.bundle);
  let nc, leaseConnection;
  try {
    nc = await connect({ servers: values.nats, name: `riskscore-stream-${process.pid}`, maxReconnectAttempts: -1 });
    leaseConnection = await connect({ servers: values.nats, name: `riskscore-stream-${process.pid}-leases`, maxReconnectAttempts: -1 });
  } catch (e) {
    throw new RiskscoreError('state_unavailable', `cannot connect to ${values.nats}: ${(e as Error).message}`, { path: ['--nats'] });
  }
  const log = (line: string): void => { process.stderr.write(`${JSON.stringify({ time: Date.now(), msg: line })}\n`); };
  const scorer = await createNatsStreamScorer({
    nc, leaseConnection, bundle, prefix, partitions, claim, takeover: values['no-takeover'] !== true, leaseMs, snapshotEvery, snapshotIntervalMs,
    owner: values.owner as string | undefined, log,
    scorerOptions: { backend: createNodeBackend() },
  });
  await scorer.ready;
  if (scorer.splitKinds.length > 0) log(`partitioned by ${scorer.keyField}: entity kinds ${scorer.splitKinds.join(', ')} are kept per partition (each sees only its partition's events)`);
  console.log(JSON.stringify({ ready: { owner: scorer.owner, partitions: scorer.owned(), keyField: scorer.keyField, exactKinds: scorer.exactKinds, splitKinds: scorer.splitKinds } }));
  const statsTimer = statsMs > 0 ? setInterval(() => console.log(JSON.stringify({ owned: scorer.owned(), stats: scorer.stats() })), statsMs) : undefined;
  await new Promise<void>((resolve) => {
    const stop = (): void => { process.off('SIGTERM', stop); process.off('SIGINT', stop); resolve(); };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  if (statsTimer) clearInterval(statsTimer);
  await scorer.stop();
  console.log(JSON.stringify({ stopped: { owner: scorer.owner, stats: scorer.stats(), failures: scorer.failures.map((f) => ({ code: f.code, message: f.message })) } }));
  await nc.drain();
  await leaseConnection.drain();
  return 0;
}
