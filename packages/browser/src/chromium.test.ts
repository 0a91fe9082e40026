// @riskscore/browser in a real headless Chromium: the page fetches the Taiwan bundle from
// a 127.0.0.1 server, scores the golden events with onnxruntime-web (wasm), and must
// agree with Node's onnxruntime-node scores to 1e-6. The events blank cells at random;
// the shipped bundle refuses those (every field is required), so both sides score them
// with partialApplications(bundle), and the page's refusals by the shipped bundle are
// checked against the blank fields. The page also loads a signed copy of the bundle with
// the signer's public key (Ed25519 through the browser's WebCrypto), and the unsigned
// bundle with the same trust, which it must refuse.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { build } from 'esbuild';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { bundleKeyId, createScorer, signBundle } from '@riskscore/core';
import { createNodeBackend, loadBundleFromDir } from '@riskscore/node';
import { REPO_ROOT } from '../../../testing/shared-data';
import { CHROMIUM, haveChromium, launchChromium } from '../../../testing/chromium';
import { firstBlankField, partialApplications } from '../../node/test/taiwan';

const BUNDLE = join(REPO_ROOT, 'examples', 'taiwan-credit', 'bundle');
const ORT_DIST = join(REPO_ROOT, 'node_modules', 'onnxruntime-web', 'dist');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream' };

const events = readFileSync(join(REPO_ROOT, 'examples', 'taiwan-credit', 'demo-events.jsonl'), 'utf8')
  .trim().split('\n').map((l) => JSON.parse(l).event);

let server: Server;
let browser: BrowserContext;
let base: string;
let chrome: Awaited<ReturnType<typeof launchChromium>> | undefined;
let keyId: string;

beforeAll(async () => {
  if (!haveChromium) return;
  const bundled = await build({
    entryPoints: [join(REPO_ROOT, 'packages', 'browser', 'test', 'page-entry.ts')],
    bundle: true, format: 'esm', write: false, platform: 'browser', target: 'es2022',
    conditions: ['@riskscore/source'], external: ['onnxruntime-web'],
  });
  const pageJs = bundled.outputFiles[0].text;
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const signed = await signBundle({ 'manifest.json': new Uint8Array(readFileSync(join(BUNDLE, 'manifest.json'))) }, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  const trustJson = JSON.stringify({ publicKey: publicPem });
  keyId = await bundleKeyId(publicPem);
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>riskscore browser test</title>
<script type="importmap">{"imports":{"onnxruntime-web":"/ort/ort.wasm.min.mjs"}}</script>
<script type="module" src="/page.js"></script></head><body>riskscore</body></html>`;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: Buffer | string | null = null;
    let path = url.pathname;
    if (path === '/') { body = html; path = '/index.html'; }
    else if (path === '/page.js') body = pageJs;
    else if (path === '/events.json') body = JSON.stringify(events);
    else if (path === '/trust.json') body = trustJson;
    else if (path === '/signed/manifest.sig') body = Buffer.from(signed['manifest.sig']);
    else {
      const [root, rel] = path.startsWith('/bundle/') ? [BUNDLE, path.slice(8)] : path.startsWith('/signed/') ? [BUNDLE, path.slice(8)] : path.startsWith('/ort/') ? [ORT_DIST, path.slice(5)] : [null, ''];
      const file = root ? normalize(join(root, rel)) : null;
      if (file && file.startsWith(root!) && existsSync(file)) body = readFileSync(file);
    }
    if (body === null) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  chrome = await launchChromium();
  browser = chrome.context;
}, 120_000);

afterAll(async () => {
  await chrome?.close();
  await new Promise((r) => (server ? server.close(r) : r(null)));
});

describe('@riskscore/browser in headless Chromium', () => {
  it.skipIf(!haveChromium)(`scores the bundle fetched from 127.0.0.1 equal to Node's to 1e-6 (skipped when ${CHROMIUM} is absent)`, async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base);
    await page.waitForFunction(() => window.riskscoreResult !== undefined, null, { timeout: 90_000 });
    const result = await page.evaluate(() => window.riskscoreResult!);
    if ('error' in result) throw new Error(`page failed: ${result.error}; ${errors.join('; ')}`);
    const shipped = await loadBundleFromDir(BUNDLE);
    const scorer = await createScorer(partialApplications(shipped), { backend: createNodeBackend() });
    const outcomes = await scorer.scoreBatch(events);
    await scorer.close();
    const expected = outcomes.map((o, i) => {
      if (!o.ok) throw new Error(`event ${i} refused in node: ${o.error.message}`);
      return o.result;
    });
    const blank = events.flatMap((e, index) => {
      const field = firstBlankField(shipped, e);
      return field === undefined ? [] : [{ index, code: 'invalid_event', path: ['events', index, field] }];
    });
    expect(blank.length).toBeGreaterThan(0);
    expect(result.refused).toEqual(blank);
    expect(result.model).toBe('taiwan-credit@1.0.0');
    expect(result.scores.length).toBe(events.length);
    let maxErr = 0;
    result.scores.forEach((s, i) => (maxErr = Math.max(maxErr, Math.abs(s - expected[i].score))));
    expect(maxErr).toBeLessThan(1e-6);
    expect(result.decisions).toEqual(expected.map((r) => r.decision));
    expect(Math.abs(result.single - expected[0].score)).toBeLessThan(1e-6);
    // Signed bundles in the browser: the signed copy loads under its key, the unsigned one is refused.
    expect(result.trust).toEqual({ signedBy: keyId, unsigned: 'bundle_untrusted' });
  });
});
