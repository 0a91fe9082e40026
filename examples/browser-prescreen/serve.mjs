// A tiny static server for the pre-screening page, on 127.0.0.1 only:
//
//   node examples/browser-prescreen/serve.mjs [--dir DIR] [--port 8080] [--isolated]
//
// `--isolated` sends Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy, so the
// page is cross-origin isolated and onnxruntime-web may use threads. Files are answered
// with an ETag and `cache-control: no-cache` (a warm visit revalidates with 304s).
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream',
};

/** Serves `dir` on 127.0.0.1:`port` (0: a free port); resolves `{ server, url, close }`. */
export async function servePrescreen({ dir, port = 0, isolated = false } = {}) {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const headers = { 'x-content-type-options': 'nosniff' };
    if (isolated) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin' });
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, headers).end(); return; }
    let path;
    try { path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname); } catch { res.writeHead(400, headers).end(); return; }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(root, path));
    let st;
    try { st = file.startsWith(root + sep) ? statSync(file) : undefined; } catch { st = undefined; }
    if (!st?.isFile()) { res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found'); return; }
    const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    Object.assign(headers, { etag, 'cache-control': 'no-cache', 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    if (req.headers['if-none-match'] === etag) { res.writeHead(304, headers).end(); return; }
    res.writeHead(200, { ...headers, 'content-length': st.size });
    if (req.method === 'HEAD') { res.end(); return; }
    createReadStream(file).pipe(res);
  });
  await new Promise((r, j) => { server.once('error', j); server.listen(port, '127.0.0.1', r); });
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { server, url, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback; };
  const here = fileURLToPath(new URL('.', import.meta.url));
  const port = Number(arg('--port', '8080'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) { console.error(`--port must be 0 to 65535, got ${arg('--port')}`); process.exit(2); }
  const { url } = await servePrescreen({ dir: arg('--dir', join(here, 'dist')), port, isolated: process.argv.includes('--isolated') });
  console.log(`pre-screening page at ${url} (?bundle=taiwan-credit for the full trees + MLP + FT-Transformer bundle); Ctrl-C stops`);
}
