// prepareArtifact on local files: globs, checksums, and failing before anything is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { BinaryItem } from '../../../src/config/model.js';
import { downloadAgent } from '../../../src/publish/download.js';
import { ChecksumMismatchError } from '../../../src/publish/checksums.js';
import { matchGlobs } from '../../../src/publish/files.js';
import { prepareArtifact } from '../../../src/publish/prepare.js';
import { UsageError } from '../../../src/types/errors.js';
import { scratchDir } from '../../harness/scratch.js';

const hex = (s: string) => createHash('sha256').update(s).digest('hex');

async function releaseDir() {
  const dir = await scratchDir('publish-prepare');
  await writeFile(join(dir, 'cmctl-linux-amd64.tar.gz'), 'linux');
  await writeFile(join(dir, 'cmctl-darwin-arm64.tar.gz'), 'darwin');
  await writeFile(join(dir, 'README.md'), 'not a release file');
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'cmctl-windows-amd64.zip'), 'windows');
  return dir;
}

function item(over: Partial<BinaryItem> = {}): BinaryItem {
  return {
    name: 'cmctl', artifactType: 'application/vnd.cert-manager.cmctl.v1', files: ['cmctl-*.tar.gz'], urls: [], targets: [],
    tags: { include: [], exclude: [], latest: 0, explicit: [] }, hasTagRules: false, position: { line: 1, col: 1 }, ...over,
  };
}

async function prepare(dir: string, it: BinaryItem) {
  const agent = downloadAgent();
  try {
    return await prepareArtifact(it, { tag: 'v1.2.3', dir, configFile: join(dir, 'mirrors.yaml'), scratch: dir, dispatcher: agent.dispatcher });
  } finally {
    await agent.close();
  }
}

test('globs: * stays in one directory, ** crosses them, a glob matching nothing is a usage error', async () => {
  const dir = await releaseDir();
  assert.deepEqual((await matchGlobs(dir, ['cmctl-*'], 'x')).map((p) => p.slice(dir.length + 1)).sort(), ['cmctl-darwin-arm64.tar.gz', 'cmctl-linux-amd64.tar.gz']);
  assert.deepEqual((await matchGlobs(dir, ['**/*.zip'], 'x')).map((p) => p.slice(dir.length + 1)), ['sub/cmctl-windows-amd64.zip']);
  await assert.rejects(matchGlobs(dir, ['*.deb'], 'binaries "cmctl" files'), (e: unknown) => e instanceof UsageError && /"\*\.deb" matches no file/.test(e.message));
  await rm(dir, { recursive: true });
});

test('--dir naming a file, not a directory: one line saying so, not Node\'s ENOTDIR scandir error', async () => {
  // publish3 hunt: `--dir dist/checksums.txt` said "--dir …: Error: ENOTDIR: not a directory, scandir '…'".
  const dir = await releaseDir();
  const file = join(dir, 'cmctl-linux-amd64.tar.gz');
  await assert.rejects(matchGlobs(file, ['cmctl-*'], 'x'), (e: unknown) => e instanceof UsageError
    && e.message === `--dir ${file}: a file, not a directory: give the directory that holds the release files`);
  await rm(dir, { recursive: true });
});

test('matching checksums: the files, hashed, and a manifest over them', async () => {
  const dir = await releaseDir();
  await writeFile(join(dir, 'checksums.txt'), `${hex('linux')}  cmctl-linux-amd64.tar.gz\n${hex('darwin')}  cmctl-darwin-arm64.tar.gz\n${hex('x')}  other\n`);
  const p = await prepare(dir, item({ checksums: join(dir, 'checksums.txt') }));
  assert.deepEqual(p.files.map((f) => [f.name, f.digest, f.size]).sort(), [
    ['cmctl-darwin-arm64.tar.gz', `sha256:${hex('darwin')}`, 6],
    ['cmctl-linux-amd64.tar.gz', `sha256:${hex('linux')}`, 5],
  ]);
  assert.match(Buffer.from(p.root.bytes).toString(), /application\/vnd\.cert-manager\.cmctl\.v1/);
  await rm(dir, { recursive: true });
});

test('a wrong checksum or an unlisted file stops preparation, naming the file', async () => {
  const dir = await releaseDir();
  await writeFile(join(dir, 'checksums.txt'), `${hex('linux')}  cmctl-linux-amd64.tar.gz\n${hex('tampered')}  cmctl-darwin-arm64.tar.gz\n`);
  await assert.rejects(prepare(dir, item({ checksums: join(dir, 'checksums.txt') })), (e: unknown) => e instanceof ChecksumMismatchError && e.message.startsWith('cmctl-darwin-arm64.tar.gz: checksum mismatch'));
  await writeFile(join(dir, 'checksums.txt'), `${hex('linux')}  cmctl-linux-amd64.tar.gz\n`);
  await assert.rejects(prepare(dir, item({ checksums: join(dir, 'checksums.txt') })), /cmctl-darwin-arm64\.tar\.gz: not listed/);
  await rm(dir, { recursive: true });
});

test('a checksums path that is not beside the config is looked for under --dir', async () => {
  const dir = await releaseDir();
  const configDir = await scratchDir('publish-config');
  await writeFile(join(dir, 'sums.txt'), `${hex('linux')}  cmctl-linux-amd64.tar.gz\n${hex('darwin')}  cmctl-darwin-arm64.tar.gz\n`);
  const agent = downloadAgent();
  const opts = { tag: 'v1', dir, configFile: join(configDir, 'mirrors.yaml'), scratch: dir, dispatcher: agent.dispatcher };
  const p = await prepareArtifact(item({ checksums: join(configDir, 'sums.txt') }), opts);
  assert.equal(p.files.length, 2);
  await assert.rejects(prepareArtifact(item({ checksums: join(configDir, 'missing.txt') }), opts), (e: unknown) => e instanceof UsageError && /missing\.txt not found/.test(e.message));
  await agent.close();
  await rm(dir, { recursive: true });
  await rm(configDir, { recursive: true });
});

test('a refused download names the binaries entry, the status and what to look at', async () => {
  // Was "regmirror: GET URL: HTTP 403" alone: which entry, and expired link or missing file?
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => res.writeHead(req.url?.startsWith('/gone') ? 404 : 403).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const dir = await releaseDir();
  try {
    await assert.rejects(prepare(dir, item({ files: [], urls: [`${base}/signed/{tag}/cmctl.tar.gz`] })), (e: unknown) => {
      assert.equal((e as Error).message, `binaries "cmctl": GET ${base}/signed/v1.2.3/cmctl.tar.gz: HTTP 403 Forbidden: the server refused the download (a private release, or a signed link that expired): check that URL under binaries "cmctl" urls`);
      return true;
    });
    await assert.rejects(prepare(dir, item({ files: [], urls: [`${base}/gone/{tag}/cmctl.tar.gz`] })), (e: unknown) => {
      assert.equal((e as Error).message, `binaries "cmctl": GET ${base}/gone/v1.2.3/cmctl.tar.gz: HTTP 404 Not Found: no such file: check that release v1.2.3 is published with that file, or the URL under binaries "cmctl" urls`);
      return true;
    });
  } finally {
    server.close();
    await rm(dir, { recursive: true });
  }
});
