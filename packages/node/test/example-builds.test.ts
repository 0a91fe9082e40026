// The example bundles through the builder. The fraud bundles (examples/fdh-fraud/bundle.json,
// bundle-trees-mlp.json) build byte-identically to the committed ones: their reference
// profiles hold no score distribution, so nothing depends on onnxruntime's rounding.
// The Taiwan example: examples/taiwan-credit/bundle.json built
// by buildBundle gives the committed bundle's files byte for byte, but for reference.json,
// whose score distribution comes from onnxruntime's float32 kernels (they round in the
// last bits differently on other CPUs): there every feature profile is identical and the
// score's quantiles agree to 1e-8.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBundle } from '../src/bundle/build-bundle';
import { REPO_ROOT } from '../../../testing/shared-data';
import { TAIWAN_BUNDLE, TAIWAN_DIR } from './taiwan';

describe('the output folder', () => {
  it('replaces only an earlier bundle in --out: other files stay, a folder without a bundle is refused untouched', async () => {
    const work = mkdtempSync(join(tmpdir(), 'riskscore-out-'));
    const out = join(work, 'out');
    const config = join(REPO_ROOT, 'examples', 'taiwan-credit', 'bundle.json');
    await buildBundle(config, { outDir: out });
    writeFileSync(join(out, 'notes.txt'), 'mine');
    await buildBundle(config, { outDir: out });
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(out).sort()).toEqual(['background.json', 'ft_transformer.onnx', 'manifest.json', 'mlp.onnx', 'notes.txt', 'reference.json', 'xgboost.onnx']);
    const other = join(work, 'project');
    mkdirSync(other);
    writeFileSync(join(other, 'manifest.json'), '{"name": "my-web-app"}');
    await expect(buildBundle(config, { outDir: other })).rejects.toMatchObject({ code: 'invalid_argument', path: ['options', 'outDir'] });
    expect(readdirSync(other)).toEqual(['manifest.json']);
  }, 120_000);

});

describe('the fraud examples built from their configs', () => {
  it.each(['bundle', 'bundle-trees-mlp'])('%s: byte-identical to the committed bundle', async (name) => {
    const dir = join(REPO_ROOT, 'examples', 'fdh-fraud');
    const out = join(mkdtempSync(join(tmpdir(), 'riskscore-fraud-build-')), name);
    await buildBundle(join(dir, `${name}.json`), { outDir: out });
    const names = readdirSync(join(dir, name)).sort();
    expect(readdirSync(out).sort()).toEqual(names);
    for (const f of names) expect(Buffer.compare(readFileSync(join(out, f)), readFileSync(join(dir, name, f))), f).toBe(0);
  }, 120_000);
});

describe('the Taiwan example built from its config', () => {
  it('equals the committed bundle (reference.json: to 1e-8 in the score profile)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'riskscore-taiwan-build-')), 'bundle');
    const summary = await buildBundle(join(TAIWAN_DIR, 'bundle.json'), { outDir: out });
    expect(summary.members.map((m) => [m.name, m.outputKind, m.kindFrom])).toEqual([['xgboost', 'logit', 'graph'], ['mlp', 'logit', 'graph'], ['ft_transformer', 'logit', 'graph']]);
    const names = readdirSync(TAIWAN_BUNDLE).sort();
    expect(readdirSync(out).sort()).toEqual(names);
    for (const f of ['xgboost.onnx', 'mlp.onnx', 'ft_transformer.onnx', 'background.json']) {
      expect(Buffer.compare(readFileSync(join(out, f)), readFileSync(join(TAIWAN_BUNDLE, f))), f).toBe(0);
    }
    const a = JSON.parse(readFileSync(join(TAIWAN_BUNDLE, 'manifest.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect({ ...b, reference: { file: b.reference.file } }).toEqual({ ...a, reference: { file: a.reference.file } });
    const ra = JSON.parse(readFileSync(join(TAIWAN_BUNDLE, 'reference.json'), 'utf8'));
    const rb = JSON.parse(readFileSync(join(out, 'reference.json'), 'utf8'));
    expect(rb.features.length).toBe(ra.features.length);
    ra.features.forEach((fa: Record<string, unknown>, i: number) => {
      const fb = rb.features[i];
      if (fa.name !== '__score__' && i < ra.features.length - 1) { expect(fb).toEqual(fa); return; }
      const close = (x: unknown, y: unknown): void => {
        if (typeof x === 'number') expect(Math.abs((y as number) - x)).toBeLessThan(1e-8);
        else if (Array.isArray(x)) x.forEach((v, k) => close(v, (y as unknown[])[k]));
        else if (x !== null && typeof x === 'object') for (const k of Object.keys(x)) close((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]);
        else expect(y).toEqual(x);
      };
      close(fa, fb);
    });
  }, 120_000);
});
