/**
 * Loading a bundle over HTTP(S): `manifest.json` and the files it names, fetched
 * relative to `baseUrl`, then verified by core like any other bundle.
 */
import { loadBundle, RiskscoreError, SIGNATURE_FILE, type LoadBundleOptions, type LoadedBundle } from '@riskscore/core';

/**
 * Reads a response body, refusing it as soon as it passes `maxBytes` (a declared
 * content-length past it is refused before reading): a server cannot make the page
 * download an endless body.
 */
async function boundedBody(res: Response, maxBytes: number, url: URL, path: string): Promise<Uint8Array> {
  const tooLarge = (n: number) => new RiskscoreError('bundle_integrity', `GET ${url}: the body is ${n} bytes or more, past the ${maxBytes} the loader accepts for ${path} (options.limits)`, { path: [path], details: { max: maxBytes, actual: n } });
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared);
  if (!res.body) {
    const b = new Uint8Array(await res.arrayBuffer());
    if (b.length > maxBytes) throw tooLarge(b.length);
    return b;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      void reader.cancel();
      throw tooLarge(size);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/**
 * Fetches and verifies the bundle at `baseUrl` (a folder URL; a trailing slash is added).
 * `options` are loadBundle's: size limits, and `trust` to accept only a bundle signed
 * by one of the given Ed25519 public keys (checked with WebCrypto).
 *
 * @example
 * const bundle = await loadBundleFromUrl('/bundles/taiwan-credit/');
 * const signed = await loadBundleFromUrl('/bundles/fraud/', undefined, { trust: { publicKeys: [publicKeyPem] } });
 */
export async function loadBundleFromUrl(baseUrl: string | URL, init?: RequestInit, options: LoadBundleOptions = {}): Promise<LoadedBundle> {
  if (typeof baseUrl !== 'string' && !(baseUrl instanceof URL)) {
    throw new RiskscoreError('invalid_argument', 'loadBundleFromUrl: baseUrl must be a string or URL naming the bundle folder', { path: ['baseUrl'] });
  }
  let base: URL;
  try {
    base = new URL(String(baseUrl).endsWith('/') ? String(baseUrl) : `${String(baseUrl)}/`, (globalThis as { location?: { href: string } }).location?.href);
  } catch (cause) {
    throw new RiskscoreError('invalid_argument', `loadBundleFromUrl: ${JSON.stringify(String(baseUrl))} is not a URL, and there is no page location to resolve it against; pass an absolute URL`, {
      path: ['baseUrl'],
      cause,
    });
  }
  return loadBundle({
    async readFile(path: string, o?: { maxBytes: number }) {
      const url = new URL(path, base);
      const res = await fetch(url, init);
      // No signature: the loader decides whether an unsigned bundle is acceptable.
      if (res.status === 404 && path === SIGNATURE_FILE) return undefined;
      if (res.status === 404) throw new RiskscoreError('bundle_integrity', `GET ${url} answered 404: the server has no ${path} at ${base}; check the bundle URL`, { path: [path], details: { url: url.href, status: 404 } });
      if (!res.ok) throw new RiskscoreError('bundle_integrity', `GET ${url} answered ${res.status} ${res.statusText}`, { path: [path] });
      return boundedBody(res, o?.maxBytes ?? Number.MAX_SAFE_INTEGER, url, path);
    },
  }, options);
}
