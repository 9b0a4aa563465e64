import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blobsNamedUnknown } from '../../../src/copy/unknown-blobs.js';
import { CopyError, RegistryResponseError } from '../../../src/types/errors.js';
import { sha256 } from '../../../src/types/digest.js';

const [config, layer, other] = ['config', 'layer', 'other'].map((s) => ({ mediaType: 'application/octet-stream', digest: sha256(s), size: s.length }));
const blobs = [config!, layer!];
const refused = (...errors: { code: string; detail?: unknown }[]) => new CopyError('destination', 'r', new RegistryResponseError('PUT', 'https://r/v2/x/manifests/t', 400, errors));

test('the blobs a MANIFEST_BLOB_UNKNOWN names, as a digest (distribution, Harbor) or { digest }', () => {
  assert.deepEqual(blobsNamedUnknown(refused({ code: 'MANIFEST_BLOB_UNKNOWN', detail: layer!.digest }), blobs), [layer]);
  assert.deepEqual(blobsNamedUnknown(refused({ code: 'MANIFEST_BLOB_UNKNOWN', detail: { digest: config!.digest } }), blobs), [config]);
});

test('every blob of the manifest when the registry names none; none when it names only blobs of another manifest', () => {
  assert.deepEqual(blobsNamedUnknown(refused({ code: 'MANIFEST_BLOB_UNKNOWN' }), blobs), blobs);
  assert.deepEqual(blobsNamedUnknown(refused({ code: 'MANIFEST_BLOB_UNKNOWN', detail: other!.digest }), blobs), []);
});

test('any other refusal heals nothing', () => {
  assert.deepEqual(blobsNamedUnknown(refused({ code: 'MANIFEST_INVALID' }), blobs), []);
  assert.deepEqual(blobsNamedUnknown(new Error('reset'), blobs), []);
});
