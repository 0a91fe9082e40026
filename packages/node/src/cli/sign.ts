/**
 * `riskscore keygen --out NAME`, `riskscore sign --bundle DIR --key NAME.pem` and
 * `riskscore verify DIR [--trust-key NAME.pub.pem ...]`: the key pair, the signature,
 * and the check a scorer makes.
 */
import { access, writeFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RiskscoreError } from '@riskscore/core';
import { loadBundleFromDir } from '../bundle/bundle-dir';
import { generateBundleKeyPair, signBundleDir } from '../bundle/sign-bundle-dir';
import { readFlagFile } from './read-flag-file';

export const KEYGEN_USAGE = 'riskscore keygen --out NAME          (writes NAME.pem, private, and NAME.pub.pem)';
export const SIGN_USAGE = 'riskscore sign --bundle DIR --key NAME.pem   (verifies the bundle, writes DIR/manifest.sig)';
export const VERIFY_USAGE = 'riskscore verify DIR [--trust-key NAME.pub.pem ...]   (loads and checks a bundle; with keys, its signature too)';

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>, usage: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new RiskscoreError('invalid_argument', `${(e as Error).message}\nusage: ${usage}`, { path: ['args'] });
  }
}

export async function runKeygen(args: string[]): Promise<number> {
  const { values } = parse(args, { out: { type: 'string' } }, KEYGEN_USAGE);
  const out = values.out as string | undefined;
  if (!out) throw new RiskscoreError('invalid_argument', `--out NAME is required\nusage: ${KEYGEN_USAGE}`, { path: ['--out'] });
  for (const f of [`${out}.pem`, `${out}.pub.pem`]) {
    if (await access(f).then(() => true, () => false)) throw new RiskscoreError('invalid_argument', `${f} exists; keygen does not overwrite keys`, { path: ['--out'] });
  }
  const { privateKeyPem, publicKeyPem } = generateBundleKeyPair();
  await writeFile(`${out}.pem`, privateKeyPem, { mode: 0o600 });
  await writeFile(`${out}.pub.pem`, publicKeyPem);
  console.log(`wrote ${out}.pem (the private key: keep it secret) and ${out}.pub.pem (give it to scorers: --trust-key)`);
  return 0;
}

export async function runSign(args: string[]): Promise<number> {
  const { values } = parse(args, { bundle: { type: 'string' }, key: { type: 'string' } }, SIGN_USAGE);
  const bundle = values.bundle as string | undefined;
  const key = values.key as string | undefined;
  if (!bundle || !key) throw new RiskscoreError('invalid_argument', `--bundle DIR and --key NAME.pem are required\nusage: ${SIGN_USAGE}`, { path: [bundle ? '--key' : '--bundle'] });
  const { id, keyId } = await signBundleDir(bundle, await readFlagFile(key, '--key'));
  console.log(`${id}: signed by key ${keyId} (${bundle}/manifest.sig)`);
  return 0;
}

export async function runVerify(args: string[], fallbackDir: string): Promise<number> {
  const { values, positionals } = parse(args, { 'trust-key': { type: 'string', multiple: true } }, VERIFY_USAGE);
  const files = (values['trust-key'] as string[] | undefined) ?? [];
  const publicKeys = await Promise.all(files.map((f) => readFlagFile(f, '--trust-key')));
  const b = await loadBundleFromDir(positionals[0] ?? fallbackDir, publicKeys.length ? { trust: { publicKeys } } : {});
  const kinds = b.members.map((m) => `${m.spec.name} (${m.spec.kind}, ${m.output.kind}${m.output.source === 'graph' ? ' by its graph' : ' as declared'})`).join(', ');
  console.log(`${b.id}: ${b.members.length} members verified (sha256, ONNX, float32 shapes, feature names, output kinds): ${kinds}; ${b.manifest.features.order.length} features${b.signedBy ? `; signed by trusted key ${b.signedBy}` : ''}`);
  return 0;
}
