import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hiddenIndexRefusal } from '../../../src/engines/skopeo-debug.js';
import { copyErrorFrom, isRefusedConversion, isTransientFailure } from '../../../src/engines/skopeo-errors.js';

// What `skopeo --debug copy --all --preserve-digests` (1.9.3) printed for an index PUT refused by the
// ECR personality (immutable tag), trimmed to the lines that matter.
const debugRun = (answer: string) => [
  'time="t" level=debug msg="PUT https://127.0.0.1:5001/v2/cert-manager/app/manifests/sha256:5f12"',
  'time="t" level=debug msg="Manifest upload response didn’t contain a Docker-Content-Digest header, it might not be a container registry"',
  'time="t" level=debug msg="Trying to use manifest list type application/vnd.oci.image.index.v1+json…"',
  'time="t" level=debug msg="PUT https://127.0.0.1:5001/v2/cert-manager/app/manifests/v1.0.0"',
  `time="t" level=debug msg="Upload of manifest list type application/vnd.oci.image.index.v1+json failed: uploading manifest v1.0.0 to 127.0.0.1:5001/cert-manager/app: ${answer}"`,
  'time="t" level=debug msg="Trying to use manifest list type application/vnd.docker.distribution.manifest.list.v2+json…"',
  'time="t" level=fatal msg="Manifest list must be converted to type \\"application/vnd.docker.distribution.manifest.list.v2+json\\" to be written to destination, but we cannot modify it: \\"Instructed to preserve digests\\""',
  '',
].join('\n');

const req = {
  source: { scheme: 'registry' as const, registry: '127.0.0.1:5000', repository: 'jetstack/app' },
  target: { scheme: 'registry' as const, registry: '127.0.0.1:5001', repository: 'cert-manager/app' },
  tag: 'v1.0.0',
  digest: `sha256:${'b'.repeat(64)}`,
};
const images = { source: `docker://127.0.0.1:5000/jetstack/app@${req.digest}`, target: 'docker://127.0.0.1:5001/cert-manager/app:v1.0.0' };

describe('skopeo --debug: the registry\'s answer skopeo\'s last line hides', () => {
  it('finds the refused index PUT, unquoted, in place of "we cannot modify it"', () => {
    const stderr = debugRun("tag invalid: The image tag 'v1.0.0' already exists in the 'cert-manager/app' repository and cannot be overwritten because the repository is immutable.");
    assert.equal(isRefusedConversion(stderr), true, 'skopeo\'s own last line');
    const line = hiddenIndexRefusal(stderr)!;
    assert.equal(line, "Upload of manifest list type application/vnd.oci.image.index.v1+json failed: uploading manifest v1.0.0 to 127.0.0.1:5001/cert-manager/app: tag invalid: The image tag 'v1.0.0' already exists in the 'cert-manager/app' repository and cannot be overwritten because the repository is immutable.");
    const err = copyErrorFrom(req, line, '1', images);
    assert.equal(err.origin, 'destination');
    assert.doesNotMatch(err.message, /engine: native` can/);
    assert.equal(isRefusedConversion(line), false);
    assert.equal(isTransientFailure(line), false, 'a refused tag is not re-run');
  });

  it('judges the answer as any other line: a 500 or a raced manifest is re-run, a quoted reason unescaped', () => {
    assert.equal(isTransientFailure(hiddenIndexRefusal(debugRun('received unexpected HTTP status: 500 Internal Server Error'))!), true);
    assert.equal(isTransientFailure(hiddenIndexRefusal(debugRun('manifest blob unknown: blob unknown to registry'))!), true);
    assert.match(hiddenIndexRefusal(debugRun('manifest invalid: unsupported config media type \\"x\\"'))!, /unsupported config media type "x"$/);
  });

  it('finds nothing where no index PUT was refused (skopeo could not copy the index unchanged)', () => {
    const stderr = 'time="t" level=debug msg="Manifest list has MIME type application/vnd.docker.distribution.manifest.list.v2+json, ordered candidate list [application/vnd.oci.image.index.v1+json]"\ntime="t" level=fatal msg="Manifest list must be converted to type \\"application/vnd.oci.image.index.v1+json\\" to be written to destination, but we cannot modify it: \\"Instructed to preserve digests\\""\n';
    assert.equal(hiddenIndexRefusal(stderr), undefined);
  });
});
