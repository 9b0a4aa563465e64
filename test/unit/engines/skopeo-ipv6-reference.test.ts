// engine: skopeo with a registry named by an IPv6 address ("[::1]:5000"): skopeo 1.9 (Debian 12),
// and every containers/image before docker/distribution's reference accepted brackets, refuses the
// reference before any request. The row said only "skopeo: Invalid source name docker://[::1]:…:
// invalid reference format", and the next step, "rerun once fixed", could not be followed: nothing
// in mirrors.yaml looked wrong. The line now says that this skopeo cannot name an IPv6 address and
// what does: `engine: native`, or the registry reached by a host name.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { copyErrorFrom, isTransientFailure } from '../../../src/engines/skopeo-errors.js';

const digest = `sha256:${'b'.repeat(64)}`;
const req = {
  source: { scheme: 'registry' as const, registry: '[::1]:5000', repository: 'jetstack/app' },
  target: { scheme: 'registry' as const, registry: '[::1]:5001', repository: 'cert-manager/app' },
  tag: 'v1',
  digest,
};
const images = { source: `docker://[::1]:5000/jetstack/app@${digest}`, target: 'docker://[::1]:5001/cert-manager/app:v1' };

// skopeo 1.9.3's own words, as it printed them against a registry on [::1].
const SOURCE = `time="2026-12-05T01:37:29Z" level=fatal msg="Invalid source name ${images.source}: invalid reference format"\n`;
const TARGET = `time="2026-12-05T01:37:29Z" level=fatal msg="Invalid destination name ${images.target}: invalid reference format"\n`;

it('an IPv6 source skopeo cannot name: says so, with engine: native and a host name as the ways out', () => {
  const err = copyErrorFrom(req, SOURCE, '1', images);
  assert.equal(err.origin, 'source');
  assert.match(err.message, /invalid reference format \(this skopeo cannot name the IPv6 address \[::1\]:5000 in an image reference; use `engine: native` for it, or reach it by a host name \(`endpoint` under registries: \[::1\]:5000\)\)$/);
  assert.equal(isTransientFailure(SOURCE), false, 'a re-run cannot help');
});

it('an IPv6 destination: the same, naming the destination registry', () => {
  const err = copyErrorFrom(req, TARGET, '1', images);
  assert.equal(err.origin, 'destination');
  assert.match(err.message, /cannot name the IPv6 address \[::1\]:5001 .*registries: \[::1\]:5001\)\)$/);
});

it('an IPv6 address an endpoint gives: the line sends to that endpoint, not to set one (acceptance hunt)', () => {
  const named = { ...req, target: { scheme: 'registry' as const, registry: 'mirror.internal:5000', repository: 'cert-manager/app' } };
  const err = copyErrorFrom(named, TARGET, '1', images);
  assert.equal(err.origin, 'destination');
  assert.match(err.message, /\(this skopeo cannot name the IPv6 address \[::1\]:5001 in an image reference, which the `endpoint` under registries: mirror\.internal:5000 gives; use `engine: native` for it, or give that endpoint a host name that leads there\)$/);
});
