/**
 * A local nats-server for tests and benchmarks: loopback only, JetStream on by default
 * with its store in a temporary folder (so streams survive `kill()` + `restart()`), and
 * optional extra configuration text (subject mappings, accounts, limits).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RiskscoreError } from '@riskscore/core';
import { probeSocket, startLocalServer, type LocalServer, type LocalServerOptions } from './local-server';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions extends LocalServerOptions {
  /** Enables JetStream with its store in `DIR/jetstream` (default true). */
  jetstream?: boolean;
  /**
   * Extra nats-server configuration text, e.g. `mappings = { "ev.*": "ev.{{partition(4,1)}}.{{wildcard(1)}}" }`.
   * Written to `DIR/nats.conf` after the helper's own `listen` and `jetstream` lines and
   * passed with `-c`; it must not set `listen`, `port` or `jetstream` itself.
   */
  config?: string;
}

/** A JSON string literal is a valid quoted string in the nats configuration format. */
const quoted = (s: string): string => JSON.stringify(s);

/**
 * Starts `nats-server` on a free loopback port (or `options.port`) in a temporary folder
 * (or `options.dir`), with JetStream unless `jetstream: false`, and resolves once a
 * connection receives its `INFO {` line. Its URL is `nats://127.0.0.1:PORT`; stop it with
 * `stop()`.
 *
 * @throws RiskscoreError `invalid_argument` (binary missing, bad options, port in use) or
 *   `state_unavailable` (it exited, e.g. on a bad config, or did not answer within `startTimeoutMs`).
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<LocalServer> {
  const { jetstream = true, config } = options;
  if (config !== undefined && typeof config !== 'string') throw new RiskscoreError('invalid_argument', 'nats-server: config must be configuration text (a string)', { path: ['config'] });
  return startLocalServer(
    {
      name: 'nats-server',
      scheme: 'nats',
      tmpPrefix: 'riskscore-nats-',
      args: async (port, dir) => {
        const store = join(dir, 'jetstream');
        if (config === undefined) return ['-a', '127.0.0.1', '-p', String(port), ...(jetstream ? ['-js', '-sd', store] : [])];
        // With a config file, listen and jetstream live in the file: flags would override it.
        const file = join(dir, 'nats.conf');
        const text = [
          '# written by @riskscore/node startNatsServer',
          `listen: ${quoted(`127.0.0.1:${port}`)}`,
          ...(jetstream ? [`jetstream { store_dir: ${quoted(store)} }`] : []),
          '',
          config,
          '',
        ].join('\n');
        await writeFile(file, text);
        return ['-c', file];
      },
      probe: (port) => probeSocket(port, undefined, (received) => received.includes('INFO {')),
    },
    options,
  );
}
