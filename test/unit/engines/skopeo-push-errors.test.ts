import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyErrorFrom } from '../../../src/engines/skopeo-errors.js';
import { pushRefusal } from '../../../src/engines/skopeo-push-errors.js';
import { CopyError, RepositoryMissingError, UploadRefusedError } from '../../../src/types/errors.js';

// The target is configured as ecr.example; skopeo connects to an endpoint (127.0.0.1:5001) and names that.
const req = {
  source: { scheme: 'registry' as const, registry: '127.0.0.1:5000', repository: 'jetstack/app' },
  target: { scheme: 'registry' as const, registry: 'ecr.example', repository: 'cert-manager/app' },
  tag: 'v1',
  digest: `sha256:${'b'.repeat(64)}`,
};
const images = { source: `docker://127.0.0.1:5000/jetstack/app@${req.digest}`, target: 'docker://127.0.0.1:5001/cert-manager/app:v1' };
const fatal = (msg: string) => `time="x" level=fatal msg="${msg}"`;

describe('skopeo push refusals', () => {
  it('NAME_UNKNOWN on a write is the repository to create, named by the configured host as the native engine names it', () => {
    for (const msg of [
      "writing blob: initiating layer upload to /v2/cert-manager/app/blobs/uploads/ in 127.0.0.1:5001: name unknown: The repository with name 'cert-manager/app' does not exist in the registry with id '123456789012'",
      'writing manifest: uploading manifest v1 to 127.0.0.1:5001/cert-manager/app: name unknown: repository name not known to registry',
    ]) {
      const err = copyErrorFrom(req, fatal(msg), '1', images);
      assert.ok(err instanceof CopyError && err.cause instanceof RepositoryMissingError, msg);
      assert.equal(err.origin, 'destination');
      assert.equal(err.message, 'destination ecr.example/cert-manager/app: ' + new RepositoryMissingError('ecr.example', 'cert-manager/app').message);
    }
  });

  it('a refused PATCH (GAR: none at all; ghcr.io: none over 4 MiB; a proxy: 413) names the registry and advises engine: native', () => {
    for (const said of [
      'unsupported: chunked uploads are not supported: upload the blob in one PUT',
      'size invalid: request body of 12584448 bytes is over the 4 MiB limit',
    ]) {
      const err = copyErrorFrom(req, fatal(`writing blob: uploading layer chunked: ${said}`), '1', images);
      assert.ok(err.cause instanceof UploadRefusedError, said);
      assert.equal(err.message, `destination ecr.example/cert-manager/app: ecr.example refused the blob upload: skopeo sends each blob in one PATCH, and the registry answered "${said}"; use \`engine: native\` for this image (it uploads a blob in one PUT, or in chunks of a size the registry takes)`);
    }
  });

  it('an HTML page from a proxy (nginx: 413 for a body over client_max_body_size) is said by its title, not its markup', () => {
    for (const [said, answer] of [
      ['StatusCode: 413, <html>\\r\\n<head><title>413 Request Entity Too Large</title></...', '413 Request Entity Too Large'],
      ['StatusCode: 413, <html>\\r\\n<head><ti...', '413 Payload Too Large'],
    ]) {
      const err = copyErrorFrom(req, fatal(`writing blob: uploading layer chunked: ${said}`), '1', images);
      assert.ok(err.cause instanceof UploadRefusedError, said);
      assert.equal(err.message, `destination ecr.example/cert-manager/app: ecr.example refused the blob upload: skopeo sends each blob in one PATCH, and the registry answered ${answer}, an HTML page (a proxy or load balancer in front of the registry answered); use \`engine: native\` for this image (it uploads a blob in one PUT, or in chunks of a size the registry takes)`);
    }
  });

  it('a PATCH answered 5xx, 429 or 401/403 is no refusal of the upload way (re-run, or credentials)', () => {
    for (const said of [
      'received unexpected HTTP status: 502 Bad Gateway',
      'StatusCode: 503, upstream connect error',
      'toomanyrequests: too many requests',
      'unauthorized: authentication required',
      'denied: requested access to the resource is denied',
    ]) assert.equal(pushRefusal(req, `writing blob: uploading layer chunked: ${said}`), undefined, said);
  });

  it('leaves other lines, and layout targets, to the general classification', () => {
    assert.equal(pushRefusal(req, 'writing manifest: uploading manifest v1 to h/r: received unexpected HTTP status: 500 Internal Server Error'), undefined);
    assert.equal(pushRefusal({ ...req, target: { scheme: 'oci', dir: '/tmp/layout/app' } }, 'name unknown'), undefined);
  });
});
