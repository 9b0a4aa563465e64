// Which layers are foreign (src/types/foreign.ts): a non-distributable media type AND urls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isForeignLayer, leftAtUrls, splitForeign } from '../../../src/types/foreign.js';
import type { Descriptor } from '../../../src/types/descriptor.js';

const d = (mediaType: string, urls?: unknown): Descriptor => ({ mediaType, digest: `sha256:${'a'.repeat(64)}`, size: 1, ...(urls === undefined ? {} : { urls: urls as string[] }) });
const URL = ['https://mcr.microsoft.com/v2/windows/servercore/blobs/sha256:aaaa'];

test("Docker's foreign layer and every OCI non-distributable layer with urls are foreign", () => {
  for (const type of [
    'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
    'application/vnd.oci.image.layer.nondistributable.v1.tar',
    'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
    'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  ]) assert.equal(isForeignLayer(d(type, URL)), true, type);
});

test('without a URL to fetch it from, a non-distributable layer is copied like any blob', () => {
  for (const urls of [undefined, [], [''], 'https://x/y', [42]]) assert.equal(isForeignLayer(d('application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', urls)), false, JSON.stringify(urls));
});

test('urls on an ordinary layer or a config are other places it may be fetched from: still copied', () => {
  assert.equal(isForeignLayer(d('application/vnd.docker.image.rootfs.diff.tar.gzip', URL)), false);
  assert.equal(isForeignLayer(d('application/vnd.oci.image.layer.v1.tar+gzip', URL)), false);
  assert.equal(isForeignLayer(d('application/vnd.oci.image.config.v1+json', URL)), false);
});

test('splitForeign keeps document order on both sides', () => {
  const base = { ...d('application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', URL), digest: `sha256:${'b'.repeat(64)}` };
  const config = d('application/vnd.docker.container.image.v1+json');
  const own = { ...d('application/vnd.docker.image.rootfs.diff.tar.gzip'), digest: `sha256:${'c'.repeat(64)}` };
  assert.deepEqual(splitForeign([config, base, own]), { distributable: [config, own], foreign: [base] });
});

test('leftAtUrls: a blob with urls whose copy failed on the source not holding it, and nothing else', async () => {
  const { CopyError, NotFoundError, RegistryResponseError } = await import('../../../src/types/errors.js');
  const layer = d('application/vnd.oci.image.layer.v1.tar+gzip', URL);
  const absent = new CopyError('source', 'q.example/w', new NotFoundError('blob unknown'));
  assert.equal(leftAtUrls(layer, absent), true);
  assert.equal(leftAtUrls(d('application/vnd.oci.image.layer.v1.tar+gzip'), absent), false, 'no urls: the copy fails');
  assert.equal(leftAtUrls(layer, new CopyError('destination', 'r.example/w', new NotFoundError('x'))), false);
  assert.equal(leftAtUrls(layer, new CopyError('source', 'q.example/w', new RegistryResponseError('GET', 'u', 500))), false);
});
