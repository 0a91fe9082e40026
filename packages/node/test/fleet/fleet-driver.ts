// Drives scoring processes (redis-scorer-child.ts) from a test: sends each event to the
// process `pick` names, and an event only once every earlier event that shares one of its
// entities has been answered, so each entity's events are applied in order while events
// of different entities run in both processes at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./redis-scorer-child.ts', import.meta.url));

/** One process's answer for one event. */
export type Answer = { i: number; ok: true; score: number; row: string } | { i: number; ok: false; code: string; maybeWritten: boolean };

/** A child scoring process with its state in Redis. */
export class ScorerProcess {
  readonly child: ChildProcess;
  private readonly waiting = new Map<number, (a: Answer) => void>();
  private stderr = '';
  private readonly done: Promise<Record<string, number>>;

  constructor(redisPort: number, bundleDir: string, prefix: string) {
    this.child = spawn(process.execPath, ['--conditions=@riskscore/source', '--import', 'tsx', CHILD, String(redisPort), bundleDir, prefix], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-8000); });
    this.done = new Promise((resolve, reject) => {
      let stats: Record<string, number> | undefined;
      createInterface({ input: this.child.stdout! }).on('line', (line) => {
        const m = JSON.parse(line) as Answer | { stats: Record<string, number> };
        if ('stats' in m) { stats = m.stats; return; }
        const w = this.waiting.get(m.i);
        this.waiting.delete(m.i);
        w?.(m);
      });
      this.child.on('exit', (code) => (stats ? resolve(stats) : reject(new Error(`scorer process exited ${code}: ${this.stderr}`))));
    });
    this.done.catch(() => { /* surfaced by end() */ });
  }

  /** Scores event `i`; resolves with its answer. */
  send(i: number, event: unknown): Promise<Answer> {
    return new Promise((resolve) => {
      this.waiting.set(i, resolve);
      this.child.stdin!.write(`${JSON.stringify({ i, event })}\n`);
    });
  }

  /** Ends its input; resolves with its store's stats once it has answered everything. */
  end(): Promise<Record<string, number>> {
    this.child.stdin!.end();
    return this.done;
  }
}

/**
 * Sends `events` to `procs` (event i to `procs[pick(i)]`), each once the earlier events of
 * its entities (`keysOf`) are answered, at most `maxInFlight` at once; the answers in
 * event order.
 */
export async function dispatchInEntityOrder<E>(events: readonly E[], procs: ScorerProcess[], pick: (i: number) => number, keysOf: (e: E) => string[], maxInFlight = 64): Promise<Answer[]> {
  const answers: Answer[] = new Array(events.length);
  const lastOf = new Map<string, Promise<unknown>>();
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < events.length; i++) {
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const keys = keysOf(events[i]);
    const before = keys.map((k) => lastOf.get(k)).filter((p): p is Promise<unknown> => p !== undefined);
    const p: Promise<unknown> = (before.length > 0 ? Promise.all(before) : Promise.resolve())
      .then(() => procs[pick(i)].send(i, events[i]))
      .then((a) => { answers[i] = a; });
    for (const k of keys) lastOf.set(k, p);
    inFlight.add(p);
    void p.then(() => {
      inFlight.delete(p);
      for (const k of keys) if (lastOf.get(k) === p) lastOf.delete(k);
    });
  }
  await Promise.all(inFlight);
  return answers;
}
