import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PullAttributor } from '../../../src/serve/attribution.js';
import { clientFamily } from '../../../src/serve/client-family.js';

const idx = (client: string, tag: string, children: string[]) => ({ client, method: 'GET', image: 'app', tag, digest: 'sha256:idx', isIndex: true, children });
const plat = (client: string, digest: string, method = 'GET') => ({ client, method, image: 'app', digest, isIndex: false });

test('a platform manifest GET is a pull, attributed to the tag of the index the client fetched', () => {
  const a = new PullAttributor();
  assert.deepEqual(a.attribute(idx('c1', 'v1.14.0', ['sha256:p1', 'sha256:p2']), 0), { kind: 'check', tag: 'v1.14.0', repeat: false });
  assert.deepEqual(a.attribute(plat('c1', 'sha256:p1'), 10), { kind: 'pull', tag: 'v1.14.0', repeat: false });
  assert.deepEqual(a.attribute(plat('c2', 'sha256:p1'), 10), { kind: 'pull', tag: '', repeat: false }, 'another client saw no index');
});

test('HEADs are checks; a retry within the session counts once; after the session it counts again', () => {
  const a = new PullAttributor(60_000);
  assert.equal(a.attribute(plat('c1', 'sha256:p1', 'HEAD'), 0).kind, 'check');
  assert.equal(a.attribute(plat('c1', 'sha256:p1'), 0).repeat, false);
  assert.equal(a.attribute(plat('c1', 'sha256:p1'), 30_000).repeat, true);
  assert.equal(a.attribute(plat('c1', 'sha256:p1'), 200_000).repeat, false);
});

test('a platform manifest asked by tag is a pull of that tag; the newest index wins', () => {
  const a = new PullAttributor();
  assert.deepEqual(a.attribute({ ...plat('c', 'sha256:s'), tag: 'v1' }, 0), { kind: 'pull', tag: 'v1', repeat: false });
  a.attribute(idx('c', 'v1.14', ['sha256:p']), 0);
  a.attribute(idx('c', 'v1.14.0', ['sha256:p']), 1);
  assert.equal(a.attribute(plat('c', 'sha256:p'), 2).tag, 'v1.14.0');
});

test('memory is bounded in clients', () => {
  const a = new PullAttributor(60_000, 10);
  for (let i = 0; i < 100; i++) a.attribute(plat(`c${i}`, 'sha256:p'), 0);
  assert.equal(a.attribute(plat('c0', 'sha256:p'), 1).repeat, false, 'the oldest client was forgotten');
});

test('client families from User-Agents', () => {
  const cases: [string | undefined, string][] = [
    ['docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/6.1', 'docker'],
    ['containerd/v1.7.2', 'containerd'],
    ['cri-o/1.28.1 go/go1.20.5', 'cri-o'],
    ['Helm/3.14.0', 'helm'],
    ['skopeo/1.9.3', 'skopeo'],
    ['podman/4.3.1', 'podman'],
    ['go-containerregistry/v0.19.0', 'crane'],
    ['oras/1.1.0', 'oras'],
    ['regmirror/0.1.0', 'regmirror'],
    ['curl/8.4.0', 'curl'],
    ['Go-http-client/1.1', 'go'],
    ['something', 'other'],
    [undefined, ''],
  ];
  for (const [ua, family] of cases) assert.equal(clientFamily(ua), family, String(ua));
});

test('containerd: HEAD the tag, GET the index by digest, then the platforms: pulls of that tag', () => {
  const a = new PullAttributor();
  assert.deepEqual(a.attribute({ client: 'c', method: 'HEAD', image: 'app', tag: 'v1.14.0', digest: 'sha256:idx', isIndex: true }, 0), { kind: 'check', tag: 'v1.14.0', repeat: false });
  assert.deepEqual(a.attribute({ client: 'c', method: 'GET', image: 'app', digest: 'sha256:idx', isIndex: true, children: ['sha256:p1'] }, 1), { kind: 'check', tag: 'v1.14.0', repeat: false });
  assert.deepEqual(a.attribute(plat('c', 'sha256:p1'), 2), { kind: 'pull', tag: 'v1.14.0', repeat: false });
});

test('a cosign signature or attestation fetched by its tag is a check, not a pull', () => {
  const a = new PullAttributor();
  const sig = `sha256-${'a'.repeat(64)}.sig`;
  assert.deepEqual(a.attribute({ ...plat('c', 'sha256:s'), tag: sig }, 0), { kind: 'check', tag: sig, repeat: false });
});
