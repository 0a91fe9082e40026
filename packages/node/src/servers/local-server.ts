/**
 * A local server process (redis-server, nats-server) on a free loopback port in a
 * temporary folder, for tests, benchmarks and trying things out: started, probed until it
 * answers, and stopped, killed, paused, resumed or restarted on demand. The children are
 * SIGKILLed when the Node process exits, and do not keep it alive on their own.
 *
 * This module is the shared part; `startRedisServer` and `startNatsServer` are the entry
 * points.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { RiskscoreError } from '@riskscore/core';

/** Options common to every local server. */
export interface LocalServerOptions {
  /** The server binary: a path, or a name looked up on PATH (default: the server's usual name). */
  binary?: string;
  /** The working folder (data files, JetStream store). Default: a new folder under `os.tmpdir()`, removed by `stop()`. */
  dir?: string;
  /** The loopback port. Default: a free one. */
  port?: number;
  /** How long a start may take until the server answers, in ms (default 10000). */
  startTimeoutMs?: number;
  /** Extra command-line arguments, appended to the helper's own. */
  args?: string[];
}

/** A running (or stopped) local server, as `startRedisServer` / `startNatsServer` return it. */
export interface LocalServer {
  /** `redis://127.0.0.1:PORT` or `nats://127.0.0.1:PORT`. */
  readonly url: string;
  /** Always the loopback address. */
  readonly host: '127.0.0.1';
  /** The port it listens on (the same across restarts). */
  readonly port: number;
  /** Its working folder. */
  readonly dir: string;
  /** The process id; undefined while not running. */
  readonly pid: number | undefined;
  /** True while the process is alive (also while paused). */
  readonly running: boolean;
  /** Graceful stop (SIGTERM; SIGKILL after 5 s), waits for exit; removes the folder only if the helper created it. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, waits for exit; keeps the folder, so `restart()` finds the data again. */
  kill(): Promise<void>;
  /** SIGSTOP: the server hangs (clients time out) until `resume()`. */
  pause(): Promise<void>;
  /** SIGCONT after `pause()`. */
  resume(): Promise<void>;
  /** Starts the same binary again on the same port and folder (stopping it first if it runs), and waits until it answers. */
  restart(): Promise<void>;
  /** The last ~64 KB of its stdout and stderr, for test failure messages. */
  log(): string;
}

/** What one kind of server needs from the shared part (internal to the servers folder). */
export interface LocalServerSpec {
  /** The server's name in messages, e.g. `redis-server`. */
  name: string;
  /** The URL scheme, e.g. `redis`. */
  scheme: string;
  /** The prefix of the temporary folder, e.g. `riskscore-redis-`. */
  tmpPrefix: string;
  /** The command-line arguments for a port and folder (the user's extra `args` are appended). */
  args(port: number, dir: string): string[] | Promise<string[]>;
  /** True once the server answers on the port (one try; the caller retries). */
  probe(port: number): Promise<boolean>;
}

const HOST = '127.0.0.1';
const LOG_LIMIT = 64 * 1024;
const GRACE_MS = 5000;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** SIGKILLs every live child when the Node process exits (installed once). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** A free loopback port: listens on 127.0.0.1:0, reads the port the system chose, closes. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolvePort(port) : reject(new Error('no port'))));
    });
  });
}

/** True when nothing listens on `port` on the loopback address (a listen there succeeds). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolveFree(false));
    server.listen(port, HOST, () => server.close(() => resolveFree(true)));
  });
}

/**
 * One probe: connects to the port, writes `send` (if any), and resolves true once the
 * received text satisfies `answered`; false on any error, on close, or after `timeoutMs`.
 */
export function probeSocket(port: number, send: string | undefined, answered: (received: string) => boolean, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolveProbe) => {
    let received = '';
    let settled = false;
    const socket = connect({ host: HOST, port });
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolveProbe(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      if (send !== undefined) socket.write(send);
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (answered(received)) done(true);
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** The binary as an absolute path, or undefined when it is not there (or not executable). */
function findBinary(binary: string): string | undefined {
  const executable = (p: string): boolean => {
    try {
      accessSync(p, fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (binary.includes('/')) {
    const p = resolve(binary);
    return existsSync(p) && executable(p) ? p : undefined;
  }
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder === '' || !isAbsolute(folder)) continue;
    const p = join(folder, binary);
    if (existsSync(p) && executable(p)) return p;
  }
  return undefined;
}

/** The last `n` non-empty lines of a log, for an error message. */
function lastLines(text: string, n = 10): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.length === 0 ? '(no output)' : lines.slice(-n).join('\n');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves once `child` has exited (at once when it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Checks the options common to every server; throws `invalid_argument`. */
function checkOptions(name: string, options: LocalServerOptions): void {
  const bad = (message: string, field: string): RiskscoreError => new RiskscoreError('invalid_argument', `${name}: ${message}`, { path: [field] });
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535)) throw bad(`port must be an integer from 1 to 65535, got ${String(options.port)}`, 'port');
  if (options.startTimeoutMs !== undefined && (!Number.isFinite(options.startTimeoutMs) || options.startTimeoutMs <= 0)) throw bad(`startTimeoutMs must be a positive number, got ${String(options.startTimeoutMs)}`, 'startTimeoutMs');
  if (options.args !== undefined && (!Array.isArray(options.args) || options.args.some((a) => typeof a !== 'string'))) throw bad('args must be an array of strings', 'args');
  if (options.binary !== undefined && (typeof options.binary !== 'string' || options.binary === '')) throw bad('binary must be a non-empty string', 'binary');
  if (options.dir !== undefined && (typeof options.dir !== 'string' || options.dir === '')) throw bad('dir must be a non-empty string', 'dir');
}

/** Why one start attempt failed: the process exited before it answered, or it did not answer in time. */
type StartFailure = { kind: 'exited' | 'timeout' | 'spawn'; detail: string };

/**
 * Starts a server of kind `spec` (see {@link LocalServerSpec}) with `options`, and waits
 * until it answers. Throws `invalid_argument` for a missing binary, bad options or a port
 * in use, and `state_unavailable` when the server exits or does not answer in time.
 */
export async function startLocalServer(spec: LocalServerSpec, options: LocalServerOptions = {}): Promise<LocalServer> {
  checkOptions(spec.name, options);
  const binaryName = options.binary ?? spec.name;
  const binary = findBinary(binaryName);
  if (binary === undefined) throw new RiskscoreError('invalid_argument', `${spec.name}: binary not found or not executable: ${binaryName}`, { path: ['binary'], details: { binary: binaryName } });
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const fixedPort = options.port !== undefined;
  if (fixedPort && !(await portIsFree(options.port as number))) {
    throw new RiskscoreError('invalid_argument', `${spec.name} (${binary}): port ${HOST}:${options.port} is in use`, { path: ['port'], details: { binary, port: options.port } });
  }
  const ownsDir = options.dir === undefined;
  const dir = ownsDir ? await mkdtemp(join(tmpdir(), spec.tmpPrefix)) : resolve(options.dir as string);
  installExitHook();

  let port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;
  let logText = '';
  /** The output of the current start attempt only (its first 8 KB), to tell a port clash. */
  let attemptLog = '';
  let removed = false;

  const appendLog = (chunk: Buffer | string): void => {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    logText += text;
    if (attemptLog.length < 8192) attemptLog += text;
    if (logText.length > LOG_LIMIT) logText = logText.slice(logText.length - LOG_LIMIT);
  };

  /** Spawns once on `port` and waits for the probe; resolves undefined when ready. */
  const attempt = async (): Promise<StartFailure | undefined> => {
    const args = [...(await spec.args(port, dir)), ...(options.args ?? [])];
    appendLog(`--- ${binary} ${args.join(' ')}\n`);
    let spawnError: Error | undefined;
    const c = spawn(binary, args, { cwd: dir, detached: false, stdio: ['ignore', 'pipe', 'pipe'] });
    c.on('error', (e) => {
      spawnError = e;
      appendLog(`spawn error: ${e.message}\n`);
    });
    c.stdout?.on('data', appendLog);
    c.stderr?.on('data', appendLog);
    c.once('exit', (code, signal) => {
      live.delete(c);
      appendLog(`--- exited (${signal ?? `code ${code}`})\n`);
    });
    // The child does not keep Node alive by itself (the exit hook kills it).
    c.unref();
    (c.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    (c.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    child = c;
    if (c.pid !== undefined) live.add(c);
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      if (spawnError !== undefined) return { kind: 'spawn', detail: spawnError.message };
      if (c.exitCode !== null || c.signalCode !== null) return { kind: 'exited', detail: `exited (${c.signalCode ?? `code ${c.exitCode}`}) before it answered` };
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      if (await spec.probe(port)) {
        // The answer must come from our child, not from another process on the port.
        if (c.exitCode === null && c.signalCode === null) return undefined;
      }
      await sleep(Math.min(25, Math.max(0, deadline - Date.now())));
    }
    c.kill('SIGKILL');
    await exited(c);
    return { kind: 'timeout', detail: `did not answer within ${startTimeoutMs} ms` };
  };

  /** Starts (retrying with a new free port when a chosen one was taken meanwhile); throws typed errors. */
  const start = async (mayMovePort: boolean): Promise<void> => {
    for (let tries = 0; ; tries++) {
      attemptLog = '';
      const failure = await attempt();
      if (failure === undefined) return;
      const portClash = /address already in use|EADDRINUSE/i.test(attemptLog);
      if (failure.kind === 'exited' && mayMovePort && portClash && tries < 3) {
        port = await freePort();
        continue;
      }
      const code = failure.kind === 'spawn' ? 'invalid_argument' : 'state_unavailable';
      throw new RiskscoreError(code, `${spec.name} (${binary}) on ${HOST}:${port} ${failure.kind === 'spawn' ? `could not be started: ${failure.detail}` : failure.detail}; last log lines:\n${lastLines(logText)}`, {
        details: { binary, port, dir },
      });
    }
  };

  const isRunning = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null && child.pid !== undefined;

  /** Sends `signal` and waits for exit; a SIGTERM is followed by SIGKILL after the grace time. */
  const terminate = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    const c = child;
    if (c === undefined || !isRunning()) return;
    const gone = exited(c);
    c.kill(signal);
    // A paused process only acts on SIGTERM once continued.
    if (signal === 'SIGTERM') c.kill('SIGCONT');
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((r) => {
      timer = setTimeout(() => {
        if (isRunning()) c.kill('SIGKILL');
        r();
      }, signal === 'SIGTERM' ? GRACE_MS : 0);
    });
    await Promise.race([gone, forced.then(() => gone)]);
    clearTimeout(timer);
  };

  const removeDir = async (): Promise<void> => {
    if (!ownsDir || removed) return;
    removed = true;
    await rm(dir, { recursive: true, force: true });
  };

  const signalRunning = (signal: 'SIGSTOP' | 'SIGCONT', verb: string): void => {
    if (!isRunning()) throw new RiskscoreError('state_unavailable', `${spec.name} on ${HOST}:${port} is not running; cannot ${verb} it`, { details: { port } });
    (child as ChildProcess).kill(signal);
  };

  try {
    await start(!fixedPort);
  } catch (e) {
    await removeDir().catch(() => undefined);
    throw e;
  }

  const server: LocalServer = {
    get url() {
      return `${spec.scheme}://${HOST}:${port}`;
    },
    host: HOST,
    get port() {
      return port;
    },
    dir,
    get pid() {
      return isRunning() ? child?.pid : undefined;
    },
    get running() {
      return isRunning();
    },
    async stop() {
      await terminate('SIGTERM');
      await removeDir();
    },
    async kill() {
      await terminate('SIGKILL');
    },
    async pause() {
      signalRunning('SIGSTOP', 'pause');
    },
    async resume() {
      signalRunning('SIGCONT', 'resume');
    },
    async restart() {
      if (removed) throw new RiskscoreError('state_unavailable', `${spec.name} on ${HOST}:${port} was stopped and its folder removed; start a new one`, { details: { port } });
      await terminate('SIGTERM');
      await start(false);
    },
    log() {
      return logText;
    },
  };
  return server;
}
