// The trust model of a bundle folder: regular files inside the folder only (symlinks,
// FIFOs, folders and files past the limits refused, fast, without reading them), signed
// bundles through the node helpers and the CLI commands, a worker scorer that refuses an
// unsigned bundle; and a tree member's output kind followed identically by the native
// evaluator and by onnxruntime.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScorer, isRiskscoreError, RiskscoreError, type LoadedBundle } from '@riskscore/core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadTaiwanGoldens, partialApplications, TAIWAN_BUNDLE } from '../../test/taiwan';
import { createNodeBackend } from '../backend/node-backend';
import { runKeygen, runSign, runVerify } from '../cli/sign';
import { createWorkerScorer } from '../worker/worker-scorer';
import { loadBundleFromDir } from './bundle-dir';
import { generateBundleKeyPair, signBundleDir } from './sign-bundle-dir';

const tmp = mkdtempSync(join(tmpdir(), 'riskscore-trust-'));
let n = 0;
/** A fresh copy of the Taiwan bundle folder. */
function copy(): string {
  const dir = join(tmp, `b${n++}`);
  cpSync(TAIWAN_BUNDLE, dir, { recursive: true });
  return dir;
}
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
async function refusal(p: Promise<unknown>): Promise<RiskscoreError & { ms: number }> {
  const t0 = performance.now();
  try {
    await p;
  } catch (e) {
    expect(isRiskscoreError(e), String(e)).toBe(true);
    return Object.assign(e as RiskscoreError, { ms: performance.now() - t0 });
  }
  throw new Error('the bundle was accepted');
}

describe('loadBundleFromDir: regular files inside the folder only', () => {
  it('a member that is a symlink (to a file inside or outside the folder): refused', async () => {
    const dir = copy();
    execFileSync('mv', [join(dir, 'mlp.onnx'), join(dir, 'mlp.real')]);
    symlinkSync('mlp.real', join(dir, 'mlp.onnx'));
    let e = await refusal(loadBundleFromDir(dir));
    expect(e).toMatchObject({ code: 'bundle_integrity', path: ['members', 1, 'file'] });
    expect(e.message).toMatch(/is a symbolic link/);
    const out = copy();
    execFileSync('rm', [join(out, 'reference.json')]);
    symlinkSync('/etc/passwd', join(out, 'reference.json'));
    e = await refusal(loadBundleFromDir(out));
    expect(e).toMatchObject({ code: 'bundle_integrity', path: ['reference', 'file'] });
  });

  it('a member in a symlinked folder that leads outside: refused', async () => {
    const dir = copy();
    const elsewhere = join(tmp, `outside${n++}`);
    mkdirSync(elsewhere);
    cpSync(join(dir, 'mlp.onnx'), join(elsewhere, 'mlp.onnx'));
    symlinkSync(elsewhere, join(dir, 'models'));
    const m = manifestOf(dir);
    m.members[1].file = 'models/mlp.onnx';
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const e = await refusal(loadBundleFromDir(dir));
    expect(e).toMatchObject({ code: 'bundle_integrity', path: ['members', 1, 'file'] });
    expect(e.message).toMatch(/resolves outside the bundle/);
  });

  it('a FIFO, a folder and /dev/zero (through a link) as member files: refused within a second, nothing hangs', async () => {
    const fifo = copy();
    execFileSync('rm', [join(fifo, 'mlp.onnx')]);
    execFileSync('mkfifo', [join(fifo, 'mlp.onnx')]);
    let e = await refusal(loadBundleFromDir(fifo));
    expect(e).toMatchObject({ code: 'bundle_integrity', path: ['members', 1, 'file'], details: { kind: 'a FIFO' } });
    expect(e.ms).toBeLessThan(1000);
    const folder = copy();
    execFileSync('rm', [join(folder, 'mlp.onnx')]);
    mkdirSync(join(folder, 'mlp.onnx'));
    e = await refusal(loadBundleFromDir(folder));
    expect(e).toMatchObject({ code: 'bundle_integrity', path: ['members', 1, 'file'], details: { kind: 'a directory' } });
    const zero = copy();
    execFileSync('rm', [join(zero, 'mlp.onnx')]);
    symlinkSync('/dev/zero', join(zero, 'mlp.onnx'));
    e = await refusal(loadBundleFromDir(zero));
    expect(e).toMatchObject({ code: 'bundle_integrity', path: ['members', 1, 'file'] });
    expect(e.ms).toBeLessThan(1000);
  });

  it('an oversized member (a 600 MB sparse file) and a 10,000-member manifest: refused within a second, unread', async () => {
    const big = copy();
    truncateSync(join(big, 'mlp.onnx'), 600 * 2 ** 20);
    let e = await refusal(loadBundleFromDir(big));
    expect(e).toMatchObject({ code: 'bundle_integrity', path: ['members', 1, 'file'], details: { actual: 600 * 2 ** 20 } });
    expect(e.ms).toBeLessThan(1000);
    const many = copy();
    const m = manifestOf(many);
    m.members = Array.from({ length: 10_000 }, (_, i) => ({ ...m.members[0], name: `m${i}` }));
    writeFileSync(join(many, 'manifest.json'), JSON.stringify(m));
    e = await refusal(loadBundleFromDir(many));
    expect(e).toMatchObject({ code: 'bundle_integrity', path: ['members'], details: { limit: 'maxMembers' } });
    expect(e.ms).toBeLessThan(1000);
  });

  it('a manifest that is not there, and a bundle path that is a file: refused', async () => {
    expect((await refusal(loadBundleFromDir(join(tmp, 'none')))).path).toEqual(['dir']);
    expect((await refusal(loadBundleFromDir(join(TAIWAN_BUNDLE, 'manifest.json')))).path).toEqual(['dir']);
    const dir = copy();
    execFileSync('rm', [join(dir, 'manifest.json')]);
    expect(await refusal(loadBundleFromDir(dir))).toMatchObject({ code: 'bundle_integrity', path: ['manifest'] });
  });
});

describe('signed bundle folders', () => {
  const keys = generateBundleKeyPair();
  const other = generateBundleKeyPair();

  it('signBundleDir signs a folder that loads; a loader with the key accepts it, with another key refuses it', async () => {
    const dir = copy();
    const { id, keyId } = await signBundleDir(dir, keys.privateKeyPem);
    expect(id).toBe('taiwan-credit@1.0.0');
    expect((await loadBundleFromDir(dir, { trust: { publicKeys: [keys.publicKeyPem] } })).signedBy).toBe(keyId);
    expect(await refusal(loadBundleFromDir(dir, { trust: { publicKeys: [other.publicKeyPem] } }))).toMatchObject({ code: 'bundle_untrusted', path: ['manifest.sig', 'keyId'] });
    expect(await refusal(loadBundleFromDir(copy(), { trust: { publicKeys: [keys.publicKeyPem] } }))).toMatchObject({ code: 'bundle_untrusted', path: ['manifest.sig'] });
    // A broken bundle is not signed.
    const broken = copy();
    writeFileSync(join(broken, 'mlp.onnx'), 'x');
    expect(await refusal(signBundleDir(broken, keys.privateKeyPem))).toMatchObject({ code: 'bundle_integrity' });
  });

  it('riskscore keygen, sign and verify --trust-key', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const name = join(tmp, 'k');
      expect(await runKeygen(['--out', name])).toBe(0);
      expect(readFileSync(`${name}.pem`, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
      await expect(runKeygen(['--out', name])).rejects.toMatchObject({ code: 'invalid_argument', path: ['--out'] });
      const dir = copy();
      expect(await runSign(['--bundle', dir, '--key', `${name}.pem`])).toBe(0);
      expect(await runVerify([dir, '--trust-key', `${name}.pub.pem`], dir)).toBe(0);
      expect(String(log.mock.calls.at(-1)?.[0])).toMatch(/signed by trusted key [0-9a-f]{16}/);
      const otherPub = join(tmp, 'other.pub.pem');
      writeFileSync(otherPub, other.publicKeyPem);
      await expect(runVerify([dir, '--trust-key', otherPub], dir)).rejects.toMatchObject({ code: 'bundle_untrusted' });
      await expect(runSign(['--bundle', dir])).rejects.toMatchObject({ code: 'invalid_argument', path: ['--key'] });
    } finally {
      log.mockRestore();
    }
  });

  it('a worker scorer with trusted keys refuses an unsigned bundle and serves a signed one', async () => {
    const unsigned = copy();
    expect(await refusal(createWorkerScorer({ bundleDir: unsigned, trust: { publicKeys: [keys.publicKeyPem] } }))).toMatchObject({ code: 'bundle_untrusted' });
    const dir = copy();
    await signBundleDir(dir, keys.privateKeyPem);
    const w = await createWorkerScorer({ bundleDir: dir, trust: { publicKeys: [keys.publicKeyPem] }, monitor: false });
    try {
      expect(w.bundle.signedBy).not.toBeNull();
      const g = loadTaiwanGoldens();
      const [o] = await w.scoreBatch([g.events[0]]);
      expect(o.ok).toBe(true);
    } finally {
      await w.close();
    }
  }, 60_000);
});

describe('a tree member\'s output kind: one meaning on both paths', () => {
  const g = loadTaiwanGoldens();
  const scores = async (bundle: LoadedBundle, trees: 'native' | 'backend') => {
    const s = await createScorer(bundle, { backend: createNodeBackend(), trees });
    try {
      return (await s.scoreBatch(g.events)).map((o) => (o.ok ? o.result.score : NaN));
    } finally {
      await s.close();
    }
  };

  it('the margin as a logit and the Sigmoid output as a probability score the same, natively and in onnxruntime', async () => {
    const asMargin = partialApplications(await loadBundleFromDir(TAIWAN_BUNDLE));
    const dir = copy();
    const m = manifestOf(dir);
    m.members[0].output = { name: 'probability', kind: 'probability' };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const asProb = partialApplications(await loadBundleFromDir(dir));
    expect(asProb.members[0].output).toEqual({ kind: 'probability', source: 'graph' });
    const runs = [await scores(asMargin, 'native'), await scores(asMargin, 'backend'), await scores(asProb, 'native'), await scores(asProb, 'backend')];
    expect(runs[0].every(Number.isFinite)).toBe(true);
    // All four agree (taiwan-bundle.test.ts checks the first against Python's xgboost and torch).
    for (const r of runs) {
      let worst = 0;
      for (let i = 0; i < r.length; i++) worst = Math.max(worst, Math.abs(r[i] - runs[0][i]));
      expect(worst).toBeLessThan(1e-6);
    }
  }, 60_000);
});

afterAll(() => { execFileSync('rm', ['-rf', tmp]); });
