// pushArtifact between memory stores: copy, skip, conflict, --force, and one failing target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryRegistry, MemoryRepository } from '../../../src/content/memory.js';
import type { Repository } from '../../../src/content/storage.js';
import { CopyLedger } from '../../../src/copy/ledger.js';
import { ReleaseFileStore } from '../../../src/publish/file-store.js';
import { hashFile, type ReleaseFile } from '../../../src/publish/files.js';
import { artifactManifest, EMPTY_CONFIG } from '../../../src/publish/manifest.js';
import { pushArtifact } from '../../../src/publish/push.js';
import { OCI_MANIFEST } from '../../../src/types/mediatype.js';
import { scratchDir } from '../../harness/scratch.js';

async function release(contents: Record<string, string>) {
  const dir = await scratchDir('publish-unit');
  const files: ReleaseFile[] = [];
  for (const [name, text] of Object.entries(contents)) {
    const path = join(dir, name);
    await writeFile(path, text);
    files.push({ name, path, ...(await hashFile(path)) });
  }
  const root = artifactManifest('application/vnd.example.tool.v1', files);
  const src = new ReleaseFileStore('tool release files', root, files);
  return { dir, files, root, src };
}

function targetsOf(...repos: Repository[]) {
  return repos.map((repo, i) => ({ repo, display: `t${i}/tool` }));
}

test('pushes to every target, then skips on a re-run; both hold the same digest and every blob', async () => {
  const { dir, files, root, src } = await release({ 'tool-linux.tar.gz': 'linux bytes', 'tool-darwin.tar.gz': 'darwin bytes' });
  const a = new MemoryRegistry().repository('a/tool');
  const b = new MemoryRegistry().repository('b/tool');
  const first = await pushArtifact('tool', root, { src, ledger: new CopyLedger() }, targetsOf(a, b), 'v1.0.0', false);
  assert.deepEqual(first.targets.map((t) => t.action), ['copied', 'copied']);
  assert.deepEqual(first.targets.map((t) => t.blobs.copied), [3, 3], 'two files and the empty config');
  assert.equal(first.sourceDigest, root.descriptor.digest);
  for (const repo of [a, b]) {
    assert.equal((await repo.resolve('v1.0.0')).digest, root.descriptor.digest);
    assert.equal((await repo.resolve('v1.0.0')).mediaType, OCI_MANIFEST);
    for (const f of files) assert.ok(await repo.exists({ mediaType: 'x', digest: f.digest, size: f.size }));
    assert.ok(await repo.exists(EMPTY_CONFIG));
  }
  const again = await pushArtifact('tool', root, { src, ledger: new CopyLedger() }, targetsOf(a, b), 'v1.0.0', false);
  assert.deepEqual(again.targets.map((t) => t.action), ['skip', 'skip']);
  await rm(dir, { recursive: true });
});

test('a tag at another digest is a conflict left alone, retargeted with force', async () => {
  const old = await release({ 'tool.tar.gz': 'old' });
  const now = await release({ 'tool.tar.gz': 'new' });
  const a = new MemoryRepository('a/tool');
  const b = new MemoryRepository('b/tool');
  await pushArtifact('tool', old.root, { src: old.src, ledger: new CopyLedger() }, targetsOf(a), 'v1.0.0', false);
  const conflict = await pushArtifact('tool', now.root, { src: now.src, ledger: new CopyLedger() }, targetsOf(a, b), 'v1.0.0', false);
  assert.deepEqual(conflict.targets.map((t) => t.action), ['conflict', 'copied']);
  assert.equal(conflict.targets[0]!.previousDigest, old.root.descriptor.digest);
  assert.match(conflict.targets[0]!.detail, /--force/);
  assert.equal((await a.resolve('v1.0.0')).digest, old.root.descriptor.digest, 'untouched');
  const forced = await pushArtifact('tool', now.root, { src: now.src, ledger: new CopyLedger() }, targetsOf(a, b), 'v1.0.0', true);
  assert.deepEqual(forced.targets.map((t) => t.action), ['forced', 'skip']);
  assert.equal((await a.resolve('v1.0.0')).digest, now.root.descriptor.digest);
  await rm(old.dir, { recursive: true });
  await rm(now.dir, { recursive: true });
});

test('a target that refuses uploads fails alone', async () => {
  const { dir, root, src } = await release({ 'tool.tar.gz': 'bytes' });
  const good = new MemoryRepository('good/tool');
  const broken = new MemoryRepository('broken/tool');
  broken.pushBlob = async () => {
    throw new Error('quota exceeded');
  };
  const r = await pushArtifact('tool', root, { src, ledger: new CopyLedger(), blobAttempts: 1 }, targetsOf(broken, good), 'v1', false);
  assert.equal(r.targets[0]!.action, 'failed');
  assert.match(r.targets[0]!.detail, /quota exceeded/);
  assert.equal(r.targets[0]!.digest, null);
  assert.equal(r.targets[1]!.action, 'copied');
  assert.deepEqual(await broken.listTags(), []);
  await rm(dir, { recursive: true });
});

test('a file changed after hashing is never pushed under the old digest', async () => {
  const { dir, files, root, src } = await release({ 'tool.tar.gz': 'original' });
  await writeFile(files[0]!.path, 'tampered!');
  const a = new MemoryRepository('a/tool');
  const r = await pushArtifact('tool', root, { src, ledger: new CopyLedger(), blobAttempts: 1 }, targetsOf(a), 'v1', false);
  assert.equal(r.targets[0]!.action, 'failed');
  assert.deepEqual(await a.listTags(), []);
  assert.equal(await a.exists({ mediaType: 'x', digest: files[0]!.digest, size: files[0]!.size }), false);
  await rm(dir, { recursive: true });
});
