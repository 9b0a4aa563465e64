// Uploads that keep failing (src/copy/upload.ts): the error names the blob, its size and the
// attempts, not only the upload session's URL; a streamed blob is tried whole up to its registry's
// maxAttempts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRegistry, type MemoryRepository } from '../../../src/content/memory.js';
import { copyGraph } from '../../../src/copy/graph.js';
import { CopyLedger } from '../../../src/copy/ledger.js';
import { TlsError, UnreachableError } from '../../../src/types/errors.js';
import type { Readable } from 'node:stream';
import { countingRepository } from '../../../src/content/counting.js';
import { SMALL_BLOB_BYTES, type BlobContent } from '../../../src/content/storage.js';
import { copyBlob } from '../../../src/copy/blobs.js';
import type { Descriptor } from '../../../src/types/descriptor.js';
import { sha256 } from '../../../src/types/digest.js';
import { OCI_LAYER_GZIP } from '../../../src/types/mediatype.js';
import { buildImage, pushImage } from '../content/fixtures.js';

async function source() {
  const src = new MemoryRegistry().repository('jetstack/a');
  const image = buildImage('a');
  await pushImage(src, image, 'v1');
  return { image, src, root: await src.fetchManifest('v1') };
}

function refusing(inner: MemoryRepository, err: () => Error): MemoryRepository {
  return Object.assign(Object.create(inner) as MemoryRepository, {
    name: inner.name,
    pushBlob: async () => {
      throw err();
    },
  });
}

const cut = () => new UnreachableError('ghcr.test', 'ghcr.test unreachable: PUT https://ghcr.test/v2/cm/a/blobs/uploads/5f1c: the connection was reset (ECONNRESET)');

test('an upload cut on every attempt names the blob, its size and the attempts, then what the registry did', async () => {
  const { src, root, image } = await source();
  const dst = refusing(new MemoryRegistry().repository('cm/a'), cut);
  const r = await copyGraph({ src, ledger: new CopyLedger(), blobAttempts: 2 }, root, [dst], 'v1', { probeRoot: false });
  const message = String(r.get(dst)?.error?.message);
  const blob = image.blobs.find((b) => message.includes(b.desc.digest));
  assert.ok(blob, message);
  assert.match(message, /^destination memory-\d+\/cm\/a: blob sha256:[0-9a-f]{64} \(\d+(\.\d)? (B|KiB)\) not uploaded, tried 2 times; the last time: ghcr\.test unreachable: PUT .*: the connection was reset \(ECONNRESET\)$/);
});

test('a refused certificate is said as it is, without the upload framing', async () => {
  const { src, root } = await source();
  const dst = refusing(new MemoryRegistry().repository('cm/a'), () => new TlsError('ghcr.test', 'untrusted', 'ghcr.test: the certificate is not trusted'));
  const r = await copyGraph({ src, ledger: new CopyLedger(), blobAttempts: 2 }, root, [dst], 'v1', { probeRoot: false });
  assert.match(String(r.get(dst)?.error?.message), /^destination memory-\d+\/cm\/a: ghcr\.test: the certificate is not trusted$/);
});

test('a streamed blob is uploaded whole up to the destination registry\'s maxAttempts, each attempt from one verified read', async () => {
  const src = new MemoryRegistry().repository('jetstack/big');
  const bytes = Buffer.alloc(SMALL_BLOB_BYTES + 1, 7);
  const desc: Descriptor = { mediaType: OCI_LAYER_GZIP, digest: sha256(bytes), size: bytes.byteLength };
  await src.pushBlob(desc, bytes);
  const counted = countingRepository(src);
  const inner = new MemoryRegistry().repository('cm/big');
  let cuts = 4;
  const dst = Object.assign(Object.create(inner) as MemoryRepository, {
    name: inner.name,
    uploadAttempts: 5,
    pushBlob: async (d: Descriptor, content: BlobContent) => {
      if (cuts-- > 0) {
        (content as Readable).destroy();
        throw cut();
      }
      return inner.pushBlob(d, content);
    },
  });
  const results = await copyBlob({ src: counted, ledger: new CopyLedger() }, desc, [dst], new Map());
  assert.equal(results.get(dst), 'copied', String(results.get(dst)));
  assert.equal(counted.calls.fetchBlob, 5, 'a verified source read per whole attempt');
  assert.ok(await inner.exists(desc));
});
