/**
 * Signed bundles. The manifest holds every file's sha256, so a signature over the exact
 * bytes of `manifest.json` covers the whole bundle: a file changed and resealed changes
 * the manifest, and the signature no longer matches. The signature sits beside the
 * manifest in `manifest.sig`:
 *
 *   { "format": "riskscore-bundle-signature", "version": 1, "algorithm": "Ed25519",
 *     "keyId": "<first 16 hex of sha256(SPKI DER)>", "signature": "<base64, 64 bytes>" }
 *
 * Ed25519 through WebCrypto (`globalThis.crypto.subtle`: Node ≥ 20, current browsers);
 * keys as standard PEM (SPKI public, PKCS#8 private, as `openssl genpkey -algorithm
 * ed25519` writes them), JWK (`{ kty: 'OKP', crv: 'Ed25519', x }`) or a `CryptoKey`.
 * The signed bytes are `manifest.json` as stored, so `openssl pkeyutl -verify -rawin`
 * checks a signature too.
 */
import { RiskscoreError } from '../errors';
import { sha256Hex } from '../util/sha256';
import { utf8Decode, utf8Encode } from '../util/utf8';

/** The part of a WebCrypto `CryptoKey` used here (core is built without DOM or Node types). */
export interface WebCryptoKey {
  readonly type: string;
  readonly algorithm: { readonly name: string };
  readonly usages: readonly string[];
}
/** An Ed25519 JSON Web Key (RFC 8037): `x` the public key, `d` the private one, base64url. */
export interface Ed25519Jwk { kty: 'OKP'; crv: 'Ed25519'; x: string; d?: string }
interface Subtle {
  importKey(format: 'spki' | 'pkcs8' | 'jwk', key: Uint8Array | Ed25519Jwk, algorithm: { name: string }, extractable: boolean, usages: string[]): Promise<WebCryptoKey>;
  exportKey(format: 'spki', key: WebCryptoKey): Promise<ArrayBuffer>;
  exportKey(format: 'jwk', key: WebCryptoKey): Promise<Ed25519Jwk>;
  sign(algorithm: { name: string }, key: WebCryptoKey, data: Uint8Array): Promise<ArrayBuffer>;
  verify(algorithm: { name: string }, key: WebCryptoKey, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

/** A key as PEM text, a JWK, or a WebCrypto key. */
export type BundleKey = string | Ed25519Jwk | WebCryptoKey;

/** Who must have signed a bundle for a loader to accept it. */
export interface BundleTrust {
  /** Public keys; a bundle must be signed by one of them. */
  readonly publicKeys: readonly BundleKey[];
}

/** The bundle file that holds the manifest's signature (`manifest.sig`, beside `manifest.json`). */
export const SIGNATURE_FILE = 'manifest.sig';
const FORMAT = 'riskscore-bundle-signature';
const ED25519 = { name: 'Ed25519' } as const;

function subtle(): Subtle {
  const s = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle;
  if (!s) throw new RiskscoreError('invalid_argument', 'signed bundles need WebCrypto (globalThis.crypto.subtle): Node 20 or later, or a browser page served over https or from localhost', { path: ['trust'] });
  return s;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function b64encode(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < b.length ? B64[n & 63] : '=');
  }
  return s;
}
/** Standard base64 (padding optional); throws on any other character. */
function b64decode(text: string): Uint8Array {
  const s = text.replace(/=+$/, '');
  if (/[^A-Za-z0-9+/]/.test(s) || s.length % 4 === 1) throw new Error('not base64');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    acc = (acc << 6) | B64.indexOf(s[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}

function pemBody(pem: string, label: string, path: Array<string | number>): Uint8Array {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m) {
    throw new RiskscoreError('invalid_argument', `expected a PEM "${label}" block (-----BEGIN ${label}-----); an Ed25519 key as openssl genpkey -algorithm ed25519 writes it`, { path });
  }
  try {
    return b64decode(m[1].replace(/\s+/g, ''));
  } catch (cause) {
    throw new RiskscoreError('invalid_argument', `the PEM "${label}" block is not base64`, { path, cause });
  }
}

const isWebCryptoKey = (k: unknown): k is WebCryptoKey =>
  k !== null && typeof k === 'object' && typeof (k as WebCryptoKey).type === 'string' && Array.isArray((k as WebCryptoKey).usages) && typeof (k as WebCryptoKey).algorithm?.name === 'string';

async function importKey(key: BundleKey, use: 'verify' | 'sign', path: Array<string | number>): Promise<WebCryptoKey> {
  if (isWebCryptoKey(key)) {
    if (key.algorithm.name !== 'Ed25519' || !key.usages.includes(use)) {
      throw new RiskscoreError('invalid_argument', `the CryptoKey must be an Ed25519 key usable to ${use}, got ${key.algorithm.name} for ${key.usages.join(', ') || 'nothing'}`, { path });
    }
    return key;
  }
  try {
    if (typeof key === 'string') {
      const der = use === 'verify' ? pemBody(key, 'PUBLIC KEY', path) : pemBody(key, 'PRIVATE KEY', path);
      return await subtle().importKey(use === 'verify' ? 'spki' : 'pkcs8', der, ED25519, true, [use]);
    }
    if (key !== null && typeof key === 'object' && (key as Ed25519Jwk).kty === 'OKP' && (key as Ed25519Jwk).crv === 'Ed25519' && typeof (key as Ed25519Jwk).x === 'string') {
      const jwk = key as Ed25519Jwk;
      // A private JWK also carries x: for verifying, import only the public part.
      const pub: Ed25519Jwk = use === 'verify' ? { kty: 'OKP', crv: 'Ed25519', x: jwk.x } : jwk;
      return await subtle().importKey('jwk', pub, ED25519, true, [use]);
    }
  } catch (cause) {
    if (RiskscoreError.isInstance(cause)) throw cause;
    throw new RiskscoreError('invalid_argument', `the key cannot be imported as an Ed25519 ${use === 'verify' ? 'public' : 'private'} key: ${(cause as Error).message}`, { path, cause });
  }
  throw new RiskscoreError('invalid_argument', `a bundle key is a PEM string, an Ed25519 JWK ({ kty: 'OKP', crv: 'Ed25519', x }) or a CryptoKey, got ${key === null ? 'null' : typeof key}`, { path });
}

/** A key's id: the first 16 hex characters of the sha256 of its SPKI encoding. */
async function keyIdOf(publicKey: WebCryptoKey): Promise<string> {
  const spki = new Uint8Array(await subtle().exportKey('spki', publicKey));
  return sha256Hex(spki).slice(0, 16);
}

/**
 * The id a public key signs under (as `manifest.sig` records it).
 *
 * @example
 * await bundleKeyId(readFileSync('bundle-signing.pub.pem', 'utf8')); // 'c2a1…' (16 hex)
 */
export async function bundleKeyId(publicKey: BundleKey): Promise<string> {
  return keyIdOf(await importKey(publicKey, 'verify', ['publicKey']));
}

/**
 * Signs a sealed bundle: returns its files with `manifest.sig` added (or replaced). The
 * private key's public half gives the key id.
 *
 * @example
 * const { files } = sealBundle(draft, artifacts);
 * await writeBundleDir('out/bundle', await signBundle(files, readFileSync('signing.pem', 'utf8')));
 */
export async function signBundle(files: Readonly<Record<string, Uint8Array>>, privateKey: BundleKey): Promise<Record<string, Uint8Array>> {
  const manifest = files?.['manifest.json'];
  if (!(manifest instanceof Uint8Array)) {
    throw new RiskscoreError('invalid_argument', 'signBundle: files must hold manifest.json (seal the bundle first with sealBundle)', { path: ['files', 'manifest.json'] });
  }
  const key = await importKey(privateKey, 'sign', ['privateKey']);
  // The public half, for the key id: a PKCS#8 Ed25519 key exports as a JWK with x.
  const jwk = await subtle().exportKey('jwk', key);
  const pub = await subtle().importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, ED25519, true, ['verify']);
  const signature = new Uint8Array(await subtle().sign(ED25519, key, manifest));
  const sig = { format: FORMAT, version: 1, algorithm: 'Ed25519', keyId: await keyIdOf(pub), signature: b64encode(signature) };
  return { ...files, [SIGNATURE_FILE]: utf8Encode(`${JSON.stringify(sig, null, 2)}\n`) };
}

const untrusted = (message: string, path: Array<string | number>, details?: Record<string, unknown>): RiskscoreError =>
  new RiskscoreError('bundle_untrusted', message, { path, details });

/** The trusted keys, imported once per trust object. */
const imported = new WeakMap<BundleTrust, Promise<Array<{ key: WebCryptoKey; id: string }>>>();

/** Checks a `trust` option's shape before anything is read. */
export function checkTrust(trust: unknown): asserts trust is BundleTrust | undefined {
  if (trust === undefined) return;
  const keys = (trust as { publicKeys?: unknown } | null)?.publicKeys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new RiskscoreError('invalid_argument', 'options.trust must be { publicKeys: [key, …] } with at least one Ed25519 public key (PEM, JWK or CryptoKey); leave trust out to load unsigned bundles', { path: ['options', 'trust', 'publicKeys'] });
  }
}

function trustedKeys(trust: BundleTrust): Promise<Array<{ key: WebCryptoKey; id: string }>> {
  let p = imported.get(trust);
  if (!p) {
    p = Promise.all(trust.publicKeys.map(async (k, i) => {
      const key = await importKey(k, 'verify', ['options', 'trust', 'publicKeys', i]);
      return { key, id: await keyIdOf(key) };
    }));
    imported.set(trust, p);
    // A key that fails to import fails this load, and is tried again on the next.
    p.catch(() => imported.delete(trust));
  }
  return p;
}

/**
 * Verifies `manifest.sig` against the manifest's bytes and the trusted keys. Throws
 * `bundle_untrusted` for a bundle without a signature, with a malformed one, signed by a
 * key not trusted, or whose manifest changed after signing. Returns the signer's key id.
 */
export async function verifyBundleSignature(manifest: Uint8Array, sigBytes: Uint8Array | undefined, trust: BundleTrust): Promise<string> {
  const keys = await trustedKeys(trust);
  if (sigBytes === undefined) {
    throw untrusted(`the bundle is not signed (no ${SIGNATURE_FILE}), and this loader accepts only bundles signed by its trusted keys (${keys.map((k) => k.id).join(', ')})`, [SIGNATURE_FILE], { trusted: keys.map((k) => k.id) });
  }
  let sig: { format?: unknown; version?: unknown; algorithm?: unknown; keyId?: unknown; signature?: unknown };
  try {
    sig = JSON.parse(utf8Decode(sigBytes)) as typeof sig;
  } catch {
    throw untrusted(`${SIGNATURE_FILE} is not valid JSON`, [SIGNATURE_FILE]);
  }
  if (sig === null || typeof sig !== 'object' || sig.format !== FORMAT || sig.version !== 1 || sig.algorithm !== 'Ed25519' || typeof sig.keyId !== 'string' || typeof sig.signature !== 'string') {
    throw untrusted(`${SIGNATURE_FILE} is not a riskscore bundle signature ({ format: "${FORMAT}", version: 1, algorithm: "Ed25519", keyId, signature })`, [SIGNATURE_FILE]);
  }
  let bytes: Uint8Array;
  try {
    bytes = b64decode(sig.signature);
  } catch {
    throw untrusted(`${SIGNATURE_FILE}: signature is not base64`, [SIGNATURE_FILE, 'signature']);
  }
  if (bytes.length !== 64) throw untrusted(`${SIGNATURE_FILE}: an Ed25519 signature is 64 bytes, this one ${bytes.length}`, [SIGNATURE_FILE, 'signature']);
  const signer = keys.find((k) => k.id === sig.keyId);
  if (signer === undefined) {
    throw untrusted(`the bundle is signed by key ${sig.keyId}, which is not among the trusted keys (${keys.map((k) => k.id).join(', ')})`, [SIGNATURE_FILE, 'keyId'], { keyId: sig.keyId, trusted: keys.map((k) => k.id) });
  }
  const ok = await subtle().verify(ED25519, signer.key, bytes, manifest);
  if (!ok) {
    throw untrusted(`the signature of key ${signer.id} does not match manifest.json: the manifest (or a file it seals) changed after signing`, [SIGNATURE_FILE, 'signature'], { keyId: signer.id });
  }
  return signer.id;
}
