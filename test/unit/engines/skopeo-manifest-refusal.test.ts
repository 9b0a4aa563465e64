// A registry that refuses a manifest for what it is (quay.io: a config or artifact media type off
// its allow-list, 415 MANIFEST_INVALID "manifest invalid") is said by skopeo as "manifest invalid:
// manifest invalid": neither the type nor what to do. engine: native names both; engine: skopeo
// now says the same, the types read from the layout the manifest came from (regclient's testrepo).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { copyErrorFrom } from '../../../src/engines/skopeo-errors.js';
import { CopyError, UnsupportedError } from '../../../src/types/errors.js';
import { REPO_ROOT } from '../config/fixtures.js';

const TESTREPO = join(REPO_ROOT, 'test', 'fixtures', 'thirdparty', 'regclient-testrepo');
const A1 = 'sha256:0484e93c23cddf24a8400547119558312023295af241d4cd1eaf1b27145c5026'; // tag a1: an SBOM artifact
const AI = 'sha256:df85221e1519ae86965f239606c33730d51602836dc45ad48e15b26383c648e4'; // tag ai: an index listing a1
const target = { scheme: 'registry' as const, registry: 'quay.example', repository: 'cert-manager/testrepo' };
const images = { source: `oci:${TESTREPO}@${A1}`, target: 'docker://127.0.0.1:5001/cert-manager/testrepo:a1' };
const fatal = (msg: string) => `time="x" level=fatal msg="${msg}"`;
const ADVICE = 'it does not accept this kind of content; mirror it to a registry that does, or exclude the tag';
/** A manifest by digest is no tag: a child of the tag's index, or a referrer that travels with one. */
const DIGEST_ADVICE = 'it does not accept this kind of content; mirror it to a registry that does, or leave it out: exclude the tag it belongs to or, for a signature, attestation or SBOM, set `referrers: false` on that image';

describe('skopeo: a manifest the registry refuses for what it is', () => {
  it('names the registry, the tag, the media types from the layout, and what to do', () => {
    const req = { source: { scheme: 'oci' as const, dir: TESTREPO }, target, tag: 'a1', digest: A1 };
    const err = copyErrorFrom(req, fatal('writing manifest: uploading manifest a1 to 127.0.0.1:5001/cert-manager/testrepo: manifest invalid: manifest invalid'), '1', images);
    assert.ok(err instanceof CopyError && err.cause instanceof UnsupportedError, err.message);
    assert.equal(err.message, `destination quay.example/cert-manager/testrepo:a1: the registry refuses the application/vnd.oci.image.manifest.v1+json manifest with "application/example.sbom" / "application/vnd.oci.empty.v1+json" (skopeo: uploading manifest a1: manifest invalid: manifest invalid): ${ADVICE}`);
  });

  it('names the entry of an index by its digest (REPO@DIGEST), with both ways to leave it out', () => {
    const req = { source: { scheme: 'oci' as const, dir: TESTREPO }, target, tag: 'ai', digest: AI };
    const err = copyErrorFrom(req, fatal(`copying image 1/2 from manifest list: writing manifest: uploading manifest ${A1} to 127.0.0.1:5001/cert-manager/testrepo: manifest invalid: manifest invalid`), '1', images);
    assert.match(err.message, new RegExp(`testrepo@${A1}: the registry refuses the application/vnd\\.oci\\.image\\.manifest\\.v1\\+json manifest with "application/example\\.sbom"`));
    assert.ok(err.message.endsWith(DIGEST_ADVICE), err.message);
  });

  it('from a registry source, without the types (skopeo never says them), still says what to do', () => {
    const req = { source: { scheme: 'registry' as const, registry: '127.0.0.1:5000', repository: 'jetstack/app' }, target, tag: 'a1', digest: A1 };
    const err = copyErrorFrom(req, fatal('writing manifest: uploading manifest a1 to 127.0.0.1:5001/cert-manager/testrepo: manifest invalid: manifest invalid: unsupported config media type application/example.sbom'), '1', images);
    assert.equal(err.message, `destination quay.example/cert-manager/testrepo:a1: the registry refuses the manifest (skopeo: uploading manifest a1: manifest invalid: manifest invalid: unsupported config media type application/example.sbom): ${ADVICE}`);
  });
});
