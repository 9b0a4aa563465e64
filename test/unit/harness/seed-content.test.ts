// The seeder's hand-built tar and deterministic content, checked against the ustar format itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorizationFor, digestOf, pseudoRandomBytes, tarWithOneFile } from '../../harness/seed.js';

function field(header: Buffer, offset: number, length: number): string {
  return header.subarray(offset, offset + length).toString('ascii').replace(/\0.*$/s, '');
}

describe('tarWithOneFile', () => {
  const content = pseudoRandomBytes('tar-test', 1000);
  const tar = tarWithOneFile('seed/file.bin', content);
  const header = tar.subarray(0, 512);

  it('is a whole number of 512-byte blocks ending with two zero blocks', () => {
    assert.equal(tar.length, 512 + 1024 + 1024);
    assert.ok(tar.subarray(tar.length - 1024).every((b) => b === 0));
  });

  it('has a ustar header naming the file with its octal size', () => {
    assert.equal(field(header, 0, 100), 'seed/file.bin');
    assert.equal(parseInt(field(header, 124, 12), 8), 1000);
    assert.equal(field(header, 156, 1), '0');
    assert.equal(field(header, 257, 6), 'ustar');
  });

  it('carries a checksum equal to the byte sum with the checksum field as spaces', () => {
    const copy = Buffer.from(header);
    copy.fill(0x20, 148, 156);
    const sum = copy.reduce((a, b) => a + b, 0);
    assert.equal(parseInt(field(header, 148, 8).trim(), 8), sum);
  });

  it('stores the content right after the header', () => {
    assert.equal(Buffer.compare(tar.subarray(512, 1512), content), 0);
  });
});

describe('pseudoRandomBytes', () => {
  it('is deterministic per seed and differs between seeds', () => {
    assert.equal(digestOf(pseudoRandomBytes('a', 5000)), digestOf(pseudoRandomBytes('a', 5000)));
    assert.notEqual(digestOf(pseudoRandomBytes('a', 5000)), digestOf(pseudoRandomBytes('b', 5000)));
    assert.equal(pseudoRandomBytes('a', 0).length, 0);
  });
});

describe('authorizationFor', () => {
  it('builds Basic, fixed Bearer and per-scope Bearer headers', async () => {
    assert.equal(await authorizationFor({ username: 'u', password: 'p' }, 's'), `Basic ${Buffer.from('u:p').toString('base64')}`);
    assert.equal(await authorizationFor({ bearer: 'tok' }, 's'), 'Bearer tok');
    assert.equal(await authorizationFor(async (scope) => `for-${scope}`, 'repository:a:pull'), 'Bearer for-repository:a:pull');
    assert.equal(await authorizationFor(undefined, 's'), undefined);
  });
});
