/**
 * Loading a bundle over HTTP(S): `manifest.json` and the files it names, fetched
 * relative to `baseUrl`, then verified by core like any other bundle.
 */
import { loadBundle, RiskscoreError, type LoadedBundle } from '@riskscore/core';

/**
 * Fetches and verifies the bundle at `baseUrl` (a folder URL; a trailing slash is added).
 *
 * @example
 * const bundle = await loadBundleFromUrl('/bundles/taiwan-credit/');
 */
export async function loadBundleFromUrl(baseUrl: string | URL, init?: RequestInit): Promise<LoadedBundle> {
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
    async readFile(path: string) {
      const url = new URL(path, base);
      const res = await fetch(url, init);
      if (!res.ok) throw new RiskscoreError('bundle_integrity', `GET ${url} answered ${res.status} ${res.statusText}`, { path: [path] });
      return new Uint8Array(await res.arrayBuffer());
    },
  });
}
