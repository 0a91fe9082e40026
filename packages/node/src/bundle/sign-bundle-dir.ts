/**
 * Signing a bundle folder, and making the key pair to sign with. The folder is loaded
 * and verified first (every sha256, shape and check), so only a bundle that loads is
 * signed; then `manifest.sig` is written beside `manifest.json` (see core's
 * bundle-signature.ts for the format).
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RiskscoreError, SIGNATURE_FILE, signBundle, type BundleKey } from '@riskscore/core';
import { loadBundleFromDir } from './bundle-dir';

/**
 * Verifies the bundle in `dir` and writes its `manifest.sig`, signed with `privateKey`
 * (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` or {@link generateBundleKeyPair}
 * writes it, or an Ed25519 JWK). Returns the bundle id and the signing key's id.
 *
 * @example
 * const { keyId } = await signBundleDir('bundles/fraud', readFileSync('signing.pem', 'utf8'));
 */
export async function signBundleDir(dir: string, privateKey: BundleKey): Promise<{ id: string; keyId: string }> {
  const bundle = await loadBundleFromDir(dir);
  // The bytes as stored: the signature covers exactly what a loader will read.
  const manifest = new Uint8Array(await readFile(join(dir, 'manifest.json')));
  const signed = await signBundle({ 'manifest.json': manifest }, privateKey);
  const sig = signed[SIGNATURE_FILE];
  const keyId = (JSON.parse(new TextDecoder().decode(sig)) as { keyId: string }).keyId;
  try {
    await writeFile(join(dir, SIGNATURE_FILE), sig);
  } catch (cause) {
    throw new RiskscoreError('invalid_argument', `signBundleDir: cannot write ${join(dir, SIGNATURE_FILE)}: ${(cause as Error).message}`, { path: ['dir'], cause });
  }
  return { id: bundle.id, keyId };
}

/**
 * A new Ed25519 key pair as PEM text: the private key (PKCS#8) to sign bundles with,
 * kept secret, and the public key (SPKI) that scorers trust.
 *
 * @example
 * const { privateKeyPem, publicKeyPem } = generateBundleKeyPair();
 */
export function generateBundleKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}
