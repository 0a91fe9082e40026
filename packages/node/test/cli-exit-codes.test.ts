// The CLI as a user meets it (the built dist/cli.js, in a child process): every command
// answers --help with its usage and exit 0; a bad or unknown flag exits 2, a refused file
// or bundle exits 1; each with one line naming the problem and never a stack trace
// (--debug shows one).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../testing/shared-data';
import { TAIWAN_BUNDLE } from './taiwan';

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
  it.each(['demo', 'score', 'bundle', 'convert-xgboost', 'verify', 'keygen', 'sign', 'report', 'serve'])('%s --help: its usage, exit 0', (cmd) => {
    const r = run([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`riskscore ${cmd}`));
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
