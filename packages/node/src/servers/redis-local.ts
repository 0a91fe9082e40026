/**
 * A local redis-server for tests and benchmarks: loopback only, in a temporary folder, no
 * RDB snapshots, and (with `appendOnly`) an append-only file so data survives
 * `kill()` + `restart()`.
 */
import { RiskscoreError } from '@riskscore/core';
import { probeSocket, startLocalServer, type LocalServer, type LocalServerOptions } from './local-server';

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions extends LocalServerOptions {
  /** Redis `maxmemory`, e.g. `'64mb'` (default: none). */
  maxMemory?: string;
  /** Keeps an append-only file in the folder (default false), so data survives a kill and restart. */
  appendOnly?: boolean;
}

/**
 * Starts `redis-server` on a free loopback port (or `options.port`) in a temporary folder
 * (or `options.dir`) and resolves once it answers `PING` with `+PONG`. Its URL is
 * `redis://127.0.0.1:PORT`; stop it with `stop()`.
 *
 * @throws RiskscoreError `invalid_argument` (binary missing, bad options, port in use) or
 *   `state_unavailable` (it exited or did not answer within `startTimeoutMs`).
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<LocalServer> {
  const { maxMemory, appendOnly = false } = options;
  if (maxMemory !== undefined && (typeof maxMemory !== 'string' || !/^\d+\s*(b|k|kb|m|mb|g|gb)?$/i.test(maxMemory))) {
    throw new RiskscoreError('invalid_argument', `redis-server: maxMemory must be a size such as '64mb', got ${String(maxMemory)}`, { path: ['maxMemory'] });
  }
  return startLocalServer(
    {
      name: 'redis-server',
      scheme: 'redis',
      tmpPrefix: 'riskscore-redis-',
      args: (port, dir) => [
        '--bind', '127.0.0.1',
        '--port', String(port),
        '--dir', dir,
        '--save', '',
        '--appendonly', appendOnly ? 'yes' : 'no',
        '--protected-mode', 'yes',
        '--daemonize', 'no',
        ...(maxMemory !== undefined ? ['--maxmemory', maxMemory.replace(/\s+/g, '')] : []),
      ],
      // -LOADING while it reads its append-only file: not ready yet.
      probe: (port) => probeSocket(port, 'PING\r\n', (received) => received.includes('+PONG\r\n')),
    },
    options,
  );
}
