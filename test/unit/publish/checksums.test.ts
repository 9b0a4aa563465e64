// sha256sum parsing and the every-file-must-match rule publish applies before any push.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkChecksums, checkNoneMissing, ChecksumFileError, ChecksumMismatchError, parseChecksums } from '../../../src/publish/checksums.js';

const A = 'a'.repeat(64);
const B = 'B'.repeat(64);

test('reads text-mode, binary-mode and BSD lines, by basename, hex lowercased', () => {
  const sums = parseChecksums(`${A}  cmctl-linux-amd64.tar.gz\n${B} *./dist/cmctl-darwin-arm64.tar.gz\r\n\n# comment\nSHA256 (sub/x.zip) = ${'c'.repeat(64)}\n`, 'sums.txt');
  assert.deepEqual([...sums], [
    ['cmctl-linux-amd64.tar.gz', A],
    ['cmctl-darwin-arm64.tar.gz', 'b'.repeat(64)],
    ['x.zip', 'c'.repeat(64)],
  ]);
});

test('keeps spaces inside file names', () => {
  assert.equal(parseChecksums(`${A}  my file.txt\n`, 's').get('my file.txt'), A);
});

test('a line that is not sha256sum output names the file and line', () => {
  assert.throws(() => parseChecksums(`${A}  ok\nnot a checksum line\n`, 'sums.txt'), (e: unknown) => e instanceof ChecksumFileError && e.message.startsWith('sums.txt:2:'));
  // sha512 sums are not sha256 sums.
  assert.throws(() => parseChecksums(`${'a'.repeat(128)}  x\n`, 'sums.txt'), ChecksumFileError);
});

test('the same name twice with different sums is refused; the same sum twice is fine', () => {
  assert.throws(() => parseChecksums(`${A}  x\n${'d'.repeat(64)}  dir/x\n`, 's'), /listed twice/);
  assert.equal(parseChecksums(`${A}  x\n${A} *x\n`, 's').size, 1);
});

test('every file must be listed and match; the error names the file', () => {
  const sums = new Map([['a.tar.gz', A]]);
  checkChecksums([{ name: 'a.tar.gz', digest: `sha256:${A}` }], sums, 'sums.txt');
  assert.throws(
    () => checkChecksums([{ name: 'a.tar.gz', digest: `sha256:${'e'.repeat(64)}` }], sums, 'sums.txt'),
    (e: unknown) => e instanceof ChecksumMismatchError && e.message.startsWith('a.tar.gz: checksum mismatch') && !e.message.includes('\n'),
  );
  assert.throws(
    () => checkChecksums([{ name: 'a.tar.gz', digest: `sha256:${A}` }, { name: 'b.tar.gz', digest: `sha256:${A}` }], sums, 'sums.txt'),
    (e: unknown) => e instanceof ChecksumMismatchError && e.message.startsWith('b.tar.gz: not listed in sums.txt'),
  );
});

test('a listed file an entry\'s glob matches by name must be among the files found; other listed names are not its business', () => {
  const sums = new Map([['cmctl-linux.tar.gz', A], ['cmctl-windows.tar.gz', A], ['kubectl-plugin.tar.gz', A], ['cmctl-linux.tar.gz.sig', A]]);
  const where = { dir: '/rel/dist', what: 'binaries "cmctl"' };
  checkNoneMissing(['cmctl-linux.tar.gz', 'cmctl-windows.tar.gz'], sums, ['cmctl-*.tar.gz'], 'sums.txt', where);
  assert.throws(
    () => checkNoneMissing(['cmctl-linux.tar.gz'], sums, ['cmctl-*.tar.gz'], 'sums.txt', where),
    (e: unknown) => e instanceof ChecksumMismatchError && e.message.startsWith('cmctl-windows.tar.gz: listed in sums.txt and matched by "cmctl-*.tar.gz" (binaries "cmctl" files), but not found under /rel/dist; nothing was pushed'),
  );
  // A glob in a subdirectory is held to the names by its last segment; one ending in ** names nothing.
  assert.throws(() => checkNoneMissing(['cmctl-linux.tar.gz'], sums, ['out/**/cmctl-*.tar.gz'], 'sums.txt', where), ChecksumMismatchError);
  checkNoneMissing(['cmctl-linux.tar.gz'], sums, ['out/**'], 'sums.txt', where);
});

test('a file with the checksums file\'s own digest (that file, published with the release) need not list itself', () => {
  const sums = new Map([['a.tar.gz', A]]);
  checkChecksums([{ name: 'a.tar.gz', digest: `sha256:${A}` }, { name: 'checksums.txt', digest: `sha256:${'f'.repeat(64)}` }], sums, 'sums.txt', `sha256:${'f'.repeat(64)}`);
  assert.throws(
    () => checkChecksums([{ name: 'checksums.txt', digest: `sha256:${'e'.repeat(64)}` }], sums, 'sums.txt', `sha256:${'f'.repeat(64)}`),
    (e: unknown) => e instanceof ChecksumMismatchError && e.message.startsWith('checksums.txt: not listed in sums.txt'),
  );
});
