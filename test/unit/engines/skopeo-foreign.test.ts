// A skopeo copy refused at the manifest PUT, for an image with foreign layers, says what they mean (src/engines/skopeo-foreign.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRepository } from '../../../src/content/memory.js';
import { explainForeignRefusal } from '../../../src/engines/skopeo-foreign.js';
import { CopyError, UnsupportedError } from '../../../src/types/errors.js';
import { content } from '../content/fixtures.js';

const DOCKER = 'application/vnd.docker.distribution.manifest.v2+json';
const config = content('application/vnd.docker.container.image.v1+json', '{"os":"windows"}');
const base = content('application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'base', { urls: ['https://mcr.example/base'] });
const image = (layers: unknown[]) => content(DOCKER, JSON.stringify({ schemaVersion: 2, mediaType: DOCKER, config: config.desc, layers }));
const refused = new CopyError('destination', 'r.example/w', new Error('skopeo: writing manifest: uploading manifest t to r.example/w: received unexpected HTTP status: 500 Internal Server Error'));

test("an index's image with a foreign layer, refused at the manifest PUT: the registry, the layer, its URL and the allow list", async () => {
  const src = new MemoryRepository('w');
  await src.pushBlob(config.desc, config.bytes);
  const child = image([base.desc]);
  await src.pushManifest(child.desc, child.bytes);
  const index = content('application/vnd.docker.distribution.manifest.list.v2+json', JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [child.desc] }));
  const e = await explainForeignRefusal(refused, 'r.example', src, { descriptor: index.desc, bytes: index.bytes }, {});
  assert.ok(e instanceof CopyError && e.cause instanceof UnsupportedError);
  assert.match(e.message, /^destination r\.example\/w: r\.example refused a manifest of this image \(skopeo: writing manifest: .*500 Internal Server Error\); the image has 1 foreign layer \(sha256:[0-9a-f]{64}, at https:\/\/mcr\.example\/base\)/);
  assert.match(e.message, /validation\.manifests\.urls\.allow/);
});

test('any other failure, or an image without foreign layers, is left as skopeo said it', async () => {
  const src = new MemoryRepository('w');
  const plain = image([content('application/vnd.docker.image.rootfs.diff.tar.gzip', 'own').desc]);
  assert.equal(await explainForeignRefusal(refused, 'r.example', src, { descriptor: plain.desc, bytes: plain.bytes }, {}), refused);
  const windows = image([base.desc]);
  const other = new CopyError('destination', 'r.example/w', new Error('skopeo: initiating layer upload: name unknown'));
  assert.equal(await explainForeignRefusal(other, 'r.example', src, { descriptor: windows.desc, bytes: windows.bytes }, {}), other);
  const source = new CopyError('source', 'q.example/w', new Error('skopeo: reading manifest t: manifest unknown'));
  assert.equal(await explainForeignRefusal(source, 'r.example', src, { descriptor: windows.desc, bytes: windows.bytes }, {}), source);
});
