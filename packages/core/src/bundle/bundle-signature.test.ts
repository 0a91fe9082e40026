// Signed bundles: a signature over manifest.json (which seals every file by its sha256),
// checked against standard Ed25519 (node:crypto, and openssl's pkeyutl where installed),
// and a corruption test: random byte flips in every file of a signed example bundle,
// resealed or not, are all refused.
import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify as nodeVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleBundleFiles } from '../../../../testing/example-bundles';
import { RiskscoreError } from '../errors';
import { sha256Hex } from '../util/sha256';
import { bundleKeyId, SIGNATURE_FILE, signBundle } from './bundle-signature';
import { loadBundle } from './load-bundle';

type Files = Record<string, Uint8Array>;
const files = (): Record<string, Uint8Array> => exampleBundleFiles();
const keys = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicJwk: publicKey.export({ format: 'jwk' }) as { kty: 'OKP'; crv: 'Ed25519'; x: string },
    privateJwk: privateKey.export({ format: 'jwk' }) as { kty: 'OKP'; crv: 'Ed25519'; x: string; d: string },
  };
};
const A = keys();
const B = keys();
const trust = (...pems: Array<string | object>) => ({ trust: { publicKeys: pems as never } });

async function refusal(p: Promise<unknown>): Promise<RiskscoreError> {
  try {
    await p;
  } catch (e) {
    expect(RiskscoreError.isInstance(e), String(e)).toBe(true);
    return e as RiskscoreError;
  }
  throw new Error('the bundle was accepted');
}
const sigOf = (f: Files) => JSON.parse(new TextDecoder().decode(f[SIGNATURE_FILE]));
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('signed bundles', () => {
  it('signs manifest.json as standard Ed25519: node:crypto verifies it, and so does openssl', async () => {
    const signed = await signBundle(files(), A.privatePem);
    const sig = sigOf(signed);
    expect(sig).toMatchObject({ format: 'riskscore-bundle-signature', version: 1, algorithm: 'Ed25519' });
    const raw = Buffer.from(sig.signature, 'base64');
    expect(raw.length).toBe(64);
    expect(nodeVerify(null, signed['manifest.json'], createPublicKey(A.publicPem), raw)).toBe(true);
    expect(nodeVerify(null, signed['manifest.json'], createPublicKey(B.publicPem), raw)).toBe(false);
    // The key id: sha256 of the SPKI DER, first 16 hex.
    const der = createPublicKey(A.publicPem).export({ type: 'spki', format: 'der' });
    expect(sig.keyId).toBe(sha256Hex(new Uint8Array(der)).slice(0, 16));
    expect(await bundleKeyId(A.publicPem)).toBe(sig.keyId);
    expect(await bundleKeyId(A.publicJwk)).toBe(sig.keyId);
    if (hasOpenssl) {
      const dir = mkdtempSync(join(tmpdir(), 'riskscore-sig-'));
      writeFileSync(join(dir, 'pub.pem'), A.publicPem);
      writeFileSync(join(dir, 'manifest.json'), signed['manifest.json']);
      writeFileSync(join(dir, 'sig.bin'), raw);
      const ok = spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'pub.pem'), '-rawin', '-in', join(dir, 'manifest.json'), '-sigfile', join(dir, 'sig.bin')], { encoding: 'utf8' });
      expect(ok.stdout + ok.stderr).toMatch(/Signature Verified Successfully/);
      writeFileSync(join(dir, 'manifest.json'), Buffer.concat([signed['manifest.json'], Buffer.from(' ')]));
      const bad = spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'pub.pem'), '-rawin', '-in', join(dir, 'manifest.json'), '-sigfile', join(dir, 'sig.bin')], { encoding: 'utf8' });
      expect(bad.status).not.toBe(0);
    }
  });

  it('a signature by openssl (not by riskscore) loads: the format is the standard one', async () => {
    if (!hasOpenssl) return;
    const f = files();
    const dir = mkdtempSync(join(tmpdir(), 'riskscore-sig-'));
    writeFileSync(join(dir, 'key.pem'), A.privatePem);
    writeFileSync(join(dir, 'manifest.json'), f['manifest.json']);
    const r = spawnSync('openssl', ['pkeyutl', '-sign', '-inkey', join(dir, 'key.pem'), '-rawin', '-in', join(dir, 'manifest.json'), '-out', join(dir, 'sig.bin')]);
    expect(r.status).toBe(0);
    const sig = { format: 'riskscore-bundle-signature', version: 1, algorithm: 'Ed25519', keyId: await bundleKeyId(A.publicPem), signature: readFileSync(join(dir, 'sig.bin')).toString('base64') };
    const b = await loadBundle({ ...f, [SIGNATURE_FILE]: new TextEncoder().encode(JSON.stringify(sig)) }, trust(A.publicPem));
    expect(b.signedBy).toBe(sig.keyId);
  });

  it('a scorer with trusted keys loads a bundle signed by one of them (PEM or JWK keys)', async () => {
    const signed = await signBundle(files(), A.privateJwk);
    const id = await bundleKeyId(A.publicPem);
    expect((await loadBundle(signed, trust(B.publicPem, A.publicPem))).signedBy).toBe(id);
    expect((await loadBundle(signed, trust(A.publicJwk))).signedBy).toBe(id);
    // Without trust, the signature is not needed and not checked.
    expect((await loadBundle(files())).signedBy).toBeNull();
  });

  it('refuses an unsigned bundle, one signed by another key, and one changed after signing', async () => {
    let e = await refusal(loadBundle(files(), trust(A.publicPem)));
    expect(e).toMatchObject({ code: 'bundle_untrusted', path: [SIGNATURE_FILE] });
    expect(e.message).toMatch(/not signed/);
    const byB = await signBundle(files(), B.privatePem);
    e = await refusal(loadBundle(byB, trust(A.publicPem)));
    expect(e).toMatchObject({ code: 'bundle_untrusted', path: [SIGNATURE_FILE, 'keyId'], details: { keyId: await bundleKeyId(B.publicPem), trusted: [await bundleKeyId(A.publicPem)] } });
    // An attacker who edits a file and reseals the manifest cannot re-sign it with a trusted key.
    const signed = await signBundle(files(), A.privatePem);
    const m = JSON.parse(new TextDecoder().decode(signed['manifest.json']));
    m.decision.approveBelow = 0.99;
    e = await refusal(loadBundle({ ...signed, 'manifest.json': new TextEncoder().encode(JSON.stringify(m, null, 2) + '\n') }, trust(A.publicPem)));
    expect(e).toMatchObject({ code: 'bundle_untrusted', path: [SIGNATURE_FILE, 'signature'] });
  });

  it('refuses bad trust options and bad keys with invalid_argument', async () => {
    await expect(loadBundle(files(), { trust: { publicKeys: [] } })).rejects.toMatchObject({ code: 'invalid_argument', path: ['options', 'trust', 'publicKeys'] });
    await expect(loadBundle(await signBundle(files(), A.privatePem), trust('not a key'))).rejects.toMatchObject({ code: 'invalid_argument', path: ['options', 'trust', 'publicKeys', 0] });
    // A private key given where a public one is expected is refused, not silently used.
    await expect(loadBundle(await signBundle(files(), A.privatePem), trust(A.privatePem))).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(signBundle(files(), A.publicPem)).rejects.toMatchObject({ code: 'invalid_argument', path: ['privateKey'] });
    await expect(signBundle({}, A.privatePem)).rejects.toMatchObject({ code: 'invalid_argument', path: ['files', 'manifest.json'] });
  });

  it('corruption: random byte flips in every file of a signed bundle, resealed or not, are all refused', async () => {
    const signed = await signBundle(files(), A.privatePem);
    const opts = trust(A.publicPem);
    expect((await loadBundle(signed, opts)).signedBy).not.toBeNull();
    let s = 20261202;
    const rand = (n: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % n);
    const FLIPS = 20;
    const counts: Record<string, number> = {};
    for (const name of Object.keys(signed)) {
      for (let k = 0; k < FLIPS; k++) {
        const bytes = signed[name].slice();
        bytes[rand(bytes.length)] ^= 1 << rand(8);
        const corrupted: Files = { ...signed, [name]: bytes };
        // Not resealed: the hash (or, for the manifest and the signature, the signature) refuses it.
        let e = await refusal(loadBundle(corrupted, opts));
        expect(['bundle_integrity', 'bundle_untrusted']).toContain(e.code);
        counts[`${name} ${e.code}`] = (counts[`${name} ${e.code}`] ?? 0) + 1;
        // Resealed: the file's new hash written into the manifest; the old signature no longer matches it.
        if (name === 'manifest.json' || name === SIGNATURE_FILE) continue;
        const m = JSON.parse(new TextDecoder().decode(signed['manifest.json']));
        for (const entry of [...m.members, m.reference, m.background]) if (entry.file === name) entry.sha256 = sha256Hex(bytes);
        e = await refusal(loadBundle({ ...corrupted, 'manifest.json': new TextEncoder().encode(JSON.stringify(m, null, 2) + '\n') }, opts));
        expect(e.code).toBe('bundle_untrusted');
        counts[`${name} resealed ${e.code}`] = (counts[`${name} resealed ${e.code}`] ?? 0) + 1;
      }
    }
    // Every file was flipped, both ways where it applies, and every load refused.
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total).toBe(FLIPS * Object.keys(signed).length + FLIPS * (Object.keys(signed).length - 2));
    expect(counts['mlp.onnx bundle_integrity']).toBe(FLIPS);
    expect(counts['manifest.json bundle_untrusted']).toBe(FLIPS);
    expect(counts[`${SIGNATURE_FILE} bundle_untrusted`]).toBe(FLIPS);
  }, 120_000);
});
