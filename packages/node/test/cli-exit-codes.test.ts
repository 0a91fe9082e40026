// The CLI as a user meets it (the built dist/cli.js, in a child process): every command
// answers --help with its usage and exit 0; a bad or unknown flag exits 2, a refused file
// or bundle exits 1; each with one line naming the problem and never a stack trace
// (--debug shows one).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../testing/shared-data';
import { hashApiKey } from '../src/service/api-keys';
import { loadTaiwanGoldens, TAIWAN_BUNDLE } from './taiwan';

const CLI = join(REPO_ROOT, 'packages', 'node', 'dist', 'cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'riskscore-cli-'));
const empty = join(tmp, 'empty.jsonl');
writeFileSync(empty, '');
const binary = join(tmp, 'binary.csv');
writeFileSync(binary, Buffer.from([0, 159, 146, 150, 0, 1, 2, 255]));
const notJson = join(tmp, 'model.json');
writeFileSync(notJson, '{ "learner": ');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('riskscore exit codes and messages', () => {
  it.each(['demo', 'score', 'bundle', 'convert-xgboost', 'verify', 'keygen', 'sign', 'report', 'serve', 'stream'])('%s --help: its usage, exit 0', (cmd) => {
    const r = run([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`riskscore ${cmd}`));
  });

  it('stream --print-mapping: the nats-server mapping line for the prefix and partition count', () => {
    const r = run(['stream', '--print-mapping', '--partitions', '3', '--prefix', 'fx']);
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim()).toBe('mappings = { "fx.in.*": "fx.p.{{partition(3,1)}}.{{wildcard(1)}}" }');
  });

  it.each([
    [['demo', '--passes', 'abc'], 2, /--passes must be an integer/],
    [['demo', '--passes', '1e9'], 2, /--passes must be an integer from 1 to 100/],
    [['demo', '--nope'], 2, /Unknown option '--nope'/],
    [['score', '--bundle', TAIWAN_BUNDLE], 2, /--input FILE are required/],
    [['score', '--bundle', TAIWAN_BUNDLE, '--input', 'x.parquet'], 2, /is not \.jsonl, \.csv or \.arrow/],
    [['score', '--bundle', TAIWAN_BUNDLE, '--input', join(tmp, 'none.csv')], 1, /the input .* cannot be read/],
    [['score', '--bundle', TAIWAN_BUNDLE, '--input', empty, '--output', join(tmp, 'no', 'such', 'dir', 'o.jsonl')], 1, /cannot be written/],
    [['bundle', '--config', join(tmp, 'none.json'), '--out', join(tmp, 'b')], 1, /not a readable JSON file/],
    [['bundle', '--out', join(tmp, 'b')], 2, /--config FILE and --out DIR are required/],
    [['convert-xgboost'], 2, /MODEL\.json and OUT\.onnx are required/],
    [['convert-xgboost', notJson, join(tmp, 'x.onnx')], 1, /is not a readable JSON file/],
    [['verify', join(tmp, 'none')], 1, /bundle_integrity .* cannot be opened/],
    [['verify', TAIWAN_BUNDLE, '--trust-key', join(tmp, 'none.pem')], 1, /--trust-key: .* cannot be read/],
    [['sign', '--bundle', TAIWAN_BUNDLE], 2, /--key NAME\.pem are required/],
    [['nope'], 2, /no command "nope"/],
    [['stream', '--bundle', TAIWAN_BUNDLE], 2, /--nats URL and --bundle DIR are required/],
    [['stream', '--nats', 'nats://127.0.0.1:9', '--bundle', TAIWAN_BUNDLE, '--partitions', '0'], 2, /--partitions must be an integer ≥ 1/],
    [['stream', '--nats', 'nats://127.0.0.1:9', '--bundle', TAIWAN_BUNDLE, '--partitions', '4', '--claim', '1,4'], 2, /--claim must list partitions from 0 to 3/],
    [['stream', '--nats', 'nats://127.0.0.1:9', '--bundle', TAIWAN_BUNDLE, '--lease-ms', '10'], 2, /--lease-ms must be an integer ≥ 100/],
    [['stream', '--nats', 'nats://127.0.0.1:9', '--bundle', TAIWAN_BUNDLE], 1, /cannot connect to nats:\/\/127\.0\.0\.1:9/],
    [['serve', '--bundle', TAIWAN_BUNDLE, '--registry', tmp, '--no-auth'], 2, /give one of --bundle DIR or --registry MODELS_DIR/],
    [['serve', '--bundle', TAIWAN_BUNDLE, '--no-auth', '--admin-keys', join(tmp, 'k.json')], 2, /--admin-keys and --watch-ms go with --registry/],
    [['serve', '--registry', join(tmp, 'no-models'), '--no-auth'], 1, /0 versions loaded and aliases\.json names no champion/],
  ] as Array<[string[], number, RegExp]>)('%j → exit %i', (args, code, message) => {
    const r = run(args);
    expect(r.code, r.err).toBe(code);
    expect(r.err).toMatch(message);
    expect(r.err.split('\n')[0]).toMatch(/^riskscore: /);
    noStack(r.err);
  });

  it('score goes on past bad input: an empty file and a binary file each end with a summary, exit 0', () => {
    let r = run(['score', '--bundle', TAIWAN_BUNDLE, '--input', empty, '--output', join(tmp, 'o1.jsonl')]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/scored 0, refused 0/);
    r = run(['score', '--bundle', TAIWAN_BUNDLE, '--input', binary, '--output', join(tmp, 'o2.csv')]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/scored 0, refused \d+/);
    noStack(r.err);
  });

  it('--debug adds the stack of an error', () => {
    const r = run(['verify', join(tmp, 'none'), '--debug']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^\s+at /m);
  });
});

describe('riskscore serve --registry', () => {
  it('serves a models folder: the only version is champion, scores name it, the admin API answers its own key only', async () => {
    const models = mkdtempSync(join(tmpdir(), 'riskscore-cli-models-'));
    cpSync(TAIWAN_BUNDLE, join(models, 'taiwan-credit', '1.0.0'), { recursive: true });
    const admin = 'rk_cli_admin_0123456789';
    writeFileSync(join(tmp, 'admin.json'), JSON.stringify([{ id: 'ops', sha256: hashApiKey(admin) }]));
    const child = spawn(process.execPath, [CLI, 'serve', '--registry', models, '--no-auth', '--admin-keys', join(tmp, 'admin.json'), '--port', '0', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let err = '';
        const t = setTimeout(() => reject(new Error(`no 'riskscore serving' line in 60 s: ${err}`)), 60_000);
        // pino logs to stdout, the fallback line logger to stderr.
        const onData = (d: Buffer) => {
          err += String(d);
          const m = /"port":(\d+)/.exec(err.split('\n').find((l) => l.includes('riskscore serving')) ?? '');
          if (m) { clearTimeout(t); resolve(Number(m[1])); }
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
      });
      const base = `http://127.0.0.1:${port}`;
      const g = loadTaiwanGoldens();
      const res = await fetch(`${base}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(g.events[0]) });
      const body = await res.json() as Record<string, unknown>;
      expect(res.status).toBe(200);
      expect(body).toMatchObject({ version: 'taiwan-credit@1.0.0', arm: 'champion', experiment: null });
      expect((await fetch(`${base}/v1/admin/registry`)).status).toBe(401);
      const reg = await (await fetch(`${base}/v1/admin/registry`, { headers: { authorization: `Bearer ${admin}` } })).json() as { aliases: unknown; audit: Array<{ actor: string; reason?: string }> };
      expect(reg.aliases).toEqual({ champion: 'taiwan-credit@1.0.0' });
      expect(reg.audit.at(-1)).toMatchObject({ actor: 'startup', reason: 'the only version' });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 90_000);
});
