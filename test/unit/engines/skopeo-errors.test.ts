import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyErrorFrom, guessOrigin, lastMeaningfulLine } from '../../../src/engines/skopeo-errors.js';
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

  it('guesses the side from the failing step, then from the reference, default destination', () => {
    assert.equal(guessOrigin('initializing source docker://a: x', images.source, images.target), 'source');
    assert.equal(guessOrigin('writing blob: initiating layer upload: denied', images.source, images.target), 'destination');
    assert.equal(guessOrigin('something about 127.0.0.1:5000/jetstack/app went wrong', images.source, images.target), 'source');
    assert.equal(guessOrigin('something odd', images.source, images.target), 'destination');
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
});
