import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyErrorFrom, guessOrigin, isRefusedConversion, isTransientFailure, lastMeaningfulLine } from '../../../src/engines/skopeo-errors.js';
import { stillnessLine } from '../../../src/engines/skopeo-stillness.js';
import { AuthError, CopyError, NotFoundError } from '../../../src/types/errors.js';
import { registerSecret } from '../../../src/ui/redact.js';

const req = {
  source: { scheme: 'registry' as const, registry: '127.0.0.1:5000', repository: 'jetstack/app' },
  target: { scheme: 'registry' as const, registry: '127.0.0.1:5001', repository: 'cert-manager/app' },
  tag: 'v1',
  digest: `sha256:${'b'.repeat(64)}`,
};
const images = { source: `docker://127.0.0.1:5000/jetstack/app@${req.digest}`, target: 'docker://127.0.0.1:5001/cert-manager/app:v1' };

describe('skopeo errors', () => {
  it('keeps the last meaningful line, unwrapped from logrus', () => {
    const stderr = 'Getting image source signatures\nCopying blob sha256:abc\ntime="2026-01-01T00:00:00Z" level=fatal msg="initializing source docker://x: reading manifest: \\"quoted\\" unauthorized"\n\n';
    assert.equal(lastMeaningfulLine(stderr), 'initializing source docker://x: reading manifest: "quoted" unauthorized');
  });

  it('reads the line breaks logrus escapes as separators, not as a literal backslash-n', () => {
    // skopeo 1.x refused a push by a read-only token: containers/image lists the registry's
    // errors one per line, which logrus quotes as \n; they reached the table and the annotation so.
    const stderr = 'time="x" level=fatal msg="copying image 1/1 from manifest list: writing blob: initiating layer upload to /v2/cm/app/blobs/uploads/ in 127.0.0.1:5001: errors:\\ndenied: requested access to the resource is denied\\nunauthorized: authentication required\\n"\n';
    const line = lastMeaningfulLine(stderr);
    assert.equal(line, 'copying image 1/1 from manifest list: writing blob: initiating layer upload to /v2/cm/app/blobs/uploads/ in 127.0.0.1:5001: errors: denied: requested access to the resource is denied; unauthorized: authentication required');
    const err = copyErrorFrom(req, stderr, '1', images);
    assert.ok(err.cause instanceof AuthError);
    assert.doesNotMatch(err.message, /\\n/);
    assert.match(err.message, /check that the credentials used for 127\.0\.0\.1:5001 \(registries\.127\.0\.0\.1:5001\.credentials or docker login\) may push to cert-manager\/app$/);
  });

  it('guesses the side from the failing step, then from the reference, default destination', () => {
    assert.equal(guessOrigin('initializing source docker://a: x', images.source, images.target), 'source');
    assert.equal(guessOrigin('writing blob: initiating layer upload: denied', images.source, images.target), 'destination');
    assert.equal(guessOrigin('something about 127.0.0.1:5000/jetstack/app went wrong', images.source, images.target), 'source');
    assert.equal(guessOrigin('something odd', images.source, images.target), 'destination');
  });

  it('runs a copy again that was stopped for moving nothing', () => {
    const debug = 'time="x" level=debug msg="GET https://127.0.0.1:5000/v2/jetstack/app/blobs/sha256:ab"\n';
    assert.equal(stillnessLine(300_000), 'skopeo read or wrote nothing for 300 s (a registry holding a request without answering): stopped');
    assert.ok(isTransientFailure(`${debug}${stillnessLine(300_000)}`));
  });

  it('names both sides of a run stopped for moving nothing when its sockets told no side, and the one they told', () => {
    const debug = 'time="x" level=debug msg="PATCH https://127.0.0.1:5001/v2/cert-manager/app/blobs/uploads/9cf8"\n';
    const either = copyErrorFrom(req, `${debug}${stillnessLine(300_000)}`, 'SIGTERM', images);
    assert.equal(either.message, 'source 127.0.0.1:5000/jetstack/app or destination 127.0.0.1:5001/cert-manager/app: skopeo: skopeo read or wrote nothing for 300 s (a registry holding a request without answering): stopped');
    const told = copyErrorFrom(req, stillnessLine(300_000, 'the target 127.0.0.1:5001 took none of what skopeo was sending it (3.0 MiB waiting unsent: an upload it stopped reading)'), 'SIGTERM', images);
    assert.match(told.message, /^destination 127\.0\.0\.1:5001\/cert-manager\/app: skopeo: skopeo read or wrote nothing for 300 s \(the target /);
  });

  it('blames the source for a read of the source that broke while the blob was being pushed', () => {
    // containers/image streams a source blob into the destination's PATCH and annotates a failed
    // read of the source "happened during read", which the PUT/PATCH step would otherwise carry
    // to the destination: a source that cut every blob GET midway named the target registry.
    const stderr = 'time="x" level=fatal msg="copying image 1/3 from manifest list: writing blob: Patch \\"https://127.0.0.1:5001/v2/cert-manager/app/blobs/uploads/9cf8?_state=9T4ZkGeNIOe5zV0RRqVynUSrvD4etga5jrHBeCPZgQx7Ik5hbWUi\\": happened during read: unexpected EOF"';
    const err = copyErrorFrom(req, stderr, '1', images);
    assert.equal(err.origin, 'source');
    assert.equal(err.repository, '127.0.0.1:5000/jetstack/app');
    assert.doesNotMatch(err.message, /_state=9T4Z/, 'the upload state is an opaque token of the target, not a fact for a person');
    assert.equal(isTransientFailure(stderr), true);
  });

  it('maps to CopyError with a typed cause and no secret', () => {
    registerSecret('hunter2-password');
    const stderr = 'time="x" level=fatal msg="initializing source docker://127.0.0.1:5000/jetstack/app: reading manifest in 127.0.0.1:5000/jetstack/app (hunter2-password): unauthorized: authentication required"';
    const err = copyErrorFrom(req, stderr, '1', images);
    assert.ok(err instanceof CopyError);
    assert.equal(err.origin, 'source');
    assert.equal(err.repository, '127.0.0.1:5000/jetstack/app');
    assert.ok(err.cause instanceof AuthError);
    assert.ok(!err.message.includes('hunter2-password'));

    const missing = copyErrorFrom(req, 'time="x" level=fatal msg="writing manifest: manifest unknown"', '1', images);
    assert.equal(missing.origin, 'destination');
    assert.ok(missing.cause instanceof NotFoundError);
    assert.match(copyErrorFrom(req, '', '1', images).message, /skopeo exited with 1/);
  });

  it('says engine: native copies what skopeo cannot copy unchanged (nested indexes, artifact indexes)', () => {
    for (const msg of [
      'copying image 1/1 from manifest list: Unexpectedly received a manifest list instead of a manifest for a single image',
      'Manifest list must be converted to type \\"application/vnd.oci.image.index.v1+json\\" to be written to destination, but we cannot modify it: \\"Instructed to preserve digests\\"',
    ]) {
      const err = copyErrorFrom(req, `time="x" level=fatal msg="${msg}"`, '1', images);
      assert.match(err.message, /\(skopeo cannot copy this manifest byte for byte; `engine: native` can\)$/, err.message);
      assert.equal(isTransientFailure(`time="x" level=fatal msg="${msg}"`), false, 'not a full budget of re-runs');
    }
    assert.equal(isRefusedConversion(`time="x" level=fatal msg="Manifest list must be converted to type \\"application/vnd.docker.distribution.manifest.list.v2+json\\" to be written to destination, but we cannot modify it: \\"Instructed to preserve digests\\""`), true, 'one re-run: a push racing it looks the same');
    assert.equal(isRefusedConversion('time="x" level=fatal msg="copying image 1/1 from manifest list: Unexpectedly received a manifest list instead of a manifest for a single image"'), false);
  });

  // Seen in a backfill through a registry that served manifests as application/json, or an OCI
  // body as Docker's type: skopeo's own words named neither the cause nor the way out.
  it("says what refused skopeo's request headers and what to change (nginx large_client_header_buffers)", () => {
    const stderr = 'time="x" level=fatal msg="initializing source docker://127.0.0.1:5000/jetstack/app:v1: reading manifest v1 in 127.0.0.1:5000/jetstack/app: StatusCode: 400, <html>\\r\\n<head><title>400 Request Header Or Cookie ..."';
    const err = copyErrorFrom(req, stderr, '1', images);
    assert.match(err.message, /Request Header Or Cookie \.\.\. \(a proxy or load balancer in front of the registry refused skopeo's request headers as too large: raise its limit \(nginx: large_client_header_buffers 4 16k, its default 4 8k; HAProxy: tune\.bufsize.*; Apache: LimitRequestFieldSize 16380, its default 8190\), or try `engine: native`, whose requests may fit\)$/, err.message);
    assert.equal(isTransientFailure(stderr), false);
  });

  // Apache's 400 page for a header over LimitRequestFieldSize (2.4.71, curl: '<!DOCTYPE HTML PUBLIC
  // "-//W3C//DTD HTML 4.01//EN" …<title>400 Bad Request</title>'), cut by containers/image to its
  // first 50 characters: its DOCTYPE, which names nothing, and no advice followed.
  it("says what to change for Apache's own 400 page, which skopeo cuts to its DOCTYPE", () => {
    for (const doctype of ['<!DOCTYPE HTML PUBLIC \\"-//W3C//DTD HTML 4.01//EN\\" ', '<!DOCTYPE HTML PUBLIC \\"-//IETF//DTD HTML 2.0//EN\\">']) {
      const stderr = `time="x" level=fatal msg="initializing source docker://127.0.0.1:5000/jetstack/app:v1: reading manifest v1 in 127.0.0.1:5000/jetstack/app: StatusCode: 400, ${doctype}..."`;
      const err = copyErrorFrom(req, stderr, '1', images);
      assert.match(err.message, /StatusCode: 400, <!DOCTYPE HTML PUBLIC .*\(Apache in front of the registry answered its own 400 page.*: raise its limit \(nginx: .*Apache: LimitRequestFieldSize 16380, its default 8190\), or try `engine: native`, whose requests may fit\)$/, err.message);
      assert.equal(isTransientFailure(stderr), false);
    }
  });

  it("says a front end's own 403 page refused skopeo's upload, not the credentials (HAProxy http-request deny if { method PATCH })", () => {
    const stderr = 'time="x" level=fatal msg="copying image 1/2 from manifest list: writing blob: uploading layer chunked: StatusCode: 403, <html><body><h1>403 Forbidden</h1>\\nRequest forbidd..."';
    const err = copyErrorFrom(req, stderr, '1', images);
    assert.match(err.message, /\(a proxy or load balancer in front of the registry refused the request with its own 403 page, not the registry's answer, so credentials are not at fault; have it let the request through: it refused a blob upload, which skopeo sends as PATCH; `engine: native` sends a blob in one PUT/, err.message);
    assert.doesNotMatch(err.message, /check that the credentials/);
    assert.equal(isTransientFailure(stderr), false);
  });

  it('says engine: native copies a manifest whose Content-Type its body disagrees with', () => {
    for (const msg of [
      `initializing image from source docker://127.0.0.1:5000/jetstack/app@${req.digest}: unsupported schema version 2`,
      `initializing image from source docker://127.0.0.1:5000/jetstack/app@${req.digest}: unsupported docker v2s2 media type: \\"application/vnd.oci.image.manifest.v1+json\\"`,
    ]) {
      const err = copyErrorFrom(req, `time="x" level=fatal msg="${msg}"`, '1', images);
      assert.equal(err.origin, 'source');
      assert.match(err.message, /under a Content-Type that its body disagrees with, which skopeo goes by; `engine: native` reads the body and copies it byte for byte\)$/, err.message);
      assert.equal(isTransientFailure(`time="x" level=fatal msg="${msg}"`), false);
    }
  });

  it('calls a 5xx, a 429 or a broken connection transient', () => {
    const fatal = (msg: string) => `Getting image source signatures\ntime="x" level=fatal msg="${msg}"\n`;
    for (const msg of [
      'copying image 1/3 from manifest list: trying to reuse blob sha256:739083ccf01994b44f996d5c7aabee27fef2e1ebdc9dc5d2b0d618c7190c53ab at destination: failed to read from destination repository round3/app: 500 (Internal Server Error)',
      'writing blob: initiating layer upload to /v2/cert-manager/app/blobs/uploads/ in 127.0.0.1:5001: received unexpected HTTP status: 503 Service Unavailable',
      'writing blob: uploading layer chunked: received unexpected HTTP status: 502 Bad Gateway',
      'reading manifest sha256:abc in quay.io/jetstack/app: toomanyrequests: too many requests',
      'writing blob: Patch \\"http://127.0.0.1:5001/v2/x/blobs/uploads/u?_state=abc\\": read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer',
      'initializing source docker://127.0.0.1:5000/a@sha256:b: pinging container registry 127.0.0.1:5000: Get \\"http://127.0.0.1:5000/v2/\\": dial tcp 127.0.0.1:5000: connect: connection refused',
      'reading blob sha256:abc: Get \\"https://cdn/blob\\": unexpected EOF',
      'writing manifest: Put \\"https://ghcr.io/v2/x/manifests/v1\\": net/http: TLS handshake timeout',
      // distribution 2.8 under concurrent copies into one repository (seen in the skopeo load test over TLS).
      'copying image 2/3 from manifest list: writing manifest: uploading manifest sha256:ccad4913e6c36db247df756e8345a5052173bf9f7d9c34e89a7f5e77fa3091d8 to 127.0.0.1:34797/round9/app: errors:\\ndigest invalid\\nmanifest blob unknown: blob unknown to registry\\n',
    ]) assert.equal(isTransientFailure(fatal(msg)), true, msg);
  });

  it('never calls auth, not-found, digest, validation or certificate failures transient', () => {
    const fatal = (msg: string) => `time="x" level=fatal msg="${msg}"`;
    for (const msg of [
      'initializing source docker://127.0.0.1:5000/jetstack/app:v1: reading manifest v1 in 127.0.0.1:5000/jetstack/app: unauthorized: authentication required',
      'writing manifest: uploading manifest v1 to 127.0.0.1:5001/cert-manager/app: denied: requested access to the resource is denied',
      'initializing source docker://127.0.0.1:5000/jetstack/app@sha256:b: reading manifest sha256:b in 127.0.0.1:5000/jetstack/app: manifest unknown: manifest unknown',
      'writing blob: storing blob to file \\"/tmp/x\\": Digest did not match, expected sha256:a, got sha256:b',
      'writing manifest: uploading manifest v1 to 127.0.0.1:5001/x: manifest invalid: manifest invalid',
      'pinging container registry ghcr.example: Get \\"https://ghcr.example/v2/\\": x509: certificate signed by unknown authority',
      'writing blob: 500 (Internal Server Error) after unauthorized: authentication required',
      'something went wrong',
      '',
    ]) assert.equal(isTransientFailure(fatal(msg)), false, msg);
    // A query string is opaque: "401" in an upload state is not a status.
    assert.equal(isTransientFailure(fatal('writing blob: Put \\"http://h/v2/x/blobs/uploads/u?_state=ab+401+cd&digest=sha256:1\\": 500 (Internal Server Error)')), true);
  });

  it('does not blame the credentials for a source blob refused 403 (an object store behind a redirect)', () => {
    const stderr = 'time="x" level=fatal msg="reading blob sha256:c058: Error fetching blob: invalid status code from registry 403 (Forbidden)"\n';
    const err = copyErrorFrom(req, stderr, '1', images);
    assert.equal(err.origin, 'source');
    assert.ok(!(err.cause instanceof AuthError));
    assert.doesNotMatch(err.message, /check that the credentials/);
    assert.match(err.message, /^source 127\.0\.0\.1:5000\/jetstack\/app: skopeo: reading blob sha256:c058: Error fetching blob: invalid status code from registry 403 \(Forbidden\) \(a blob refused, not the credentials, which read its manifest: .*object storage.*check this machine's clock and run again; `engine: native` names the store that refused it\)$/);
    // A manifest refused 403 is the credentials' business, as before.
    const manifest = copyErrorFrom(req, 'time="x" level=fatal msg="initializing source docker://127.0.0.1:5000/jetstack/app: reading manifest v1 in 127.0.0.1:5000/jetstack/app: denied: access forbidden"\n', '1', images);
    assert.match(manifest.message, /may pull from jetstack\/app$/);
  });
});
