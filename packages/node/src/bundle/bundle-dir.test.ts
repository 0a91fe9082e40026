import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rejection } from '../../../../testing/refusals';
import { loadBundleFromDir, writeBundleDir } from './bundle-dir';

describe('writeBundleDir', () => {
  const bytes = new Uint8Array([1, 2, 3]);

  it('writes files, nested folders included', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'riskscore-bundle-')), 'b');
    await writeBundleDir(dir, { 'manifest.json': bytes, 'reference/profile.json': bytes });
    expect([...readFileSync(join(dir, 'reference', 'profile.json'))]).toEqual([1, 2, 3]);
  });

  it.each([
    '../x', 'a/../../x', 'a/..', '..', '..\\x', 'a\\..\\..\\x', '/etc/x', '\\x', 'C:\\x', 'C:x', '', 'a\0b',
  ])('refuses the file name %j and writes nothing', async (name) => {
    const parent = mkdtempSync(join(tmpdir(), 'riskscore-bundle-'));
    const dir = join(parent, 'b');
    const e = await rejection(writeBundleDir(dir, { 'ok.json': bytes, [name]: bytes }));
    expect(e.code).toBe('invalid_argument');
    expect(e.path).toEqual(['files', name]);
    expect(existsSync(join(dir, 'ok.json'))).toBe(false);
    expect(existsSync(join(parent, 'x'))).toBe(false);
  });

  it('refuses a null dir, null files and a value that is not bytes', async () => {
    expect((await rejection(writeBundleDir(null as never, {}))).path).toEqual(['dir']);
    expect((await rejection(writeBundleDir(join(tmpdir(), 'x'), null as never))).path).toEqual(['files']);
    expect((await rejection(writeBundleDir(join(tmpdir(), 'x'), { a: 'text' as never }))).path).toEqual(['files', 'a']);
  });
});

describe('loadBundleFromDir', () => {
  it('refuses a null dir and names the missing manifest', async () => {
    expect((await rejection(loadBundleFromDir(null as never))).path).toEqual(['dir']);
    const e = await rejection(loadBundleFromDir(join(tmpdir(), 'riskscore-no-such-bundle')));
    expect(e.code).toBe('bundle_integrity');
  });
});
