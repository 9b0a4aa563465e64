import { test } from 'node:test';
import assert from 'node:assert/strict';
import { route } from '../../../src/serve/route.js';

const D = `sha256:${'a'.repeat(64)}`;

test('only GET and HEAD exist', () => {
  for (const m of ['PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT']) {
    assert.equal(route(m, '/v2/app/manifests/v1').kind, 'method-not-allowed', m);
    assert.equal(route(m, '/cmctl/v2.1.0/cmctl.tar.gz').kind, 'method-not-allowed', m);
  }
});

test('the distribution API read routes', () => {
  assert.deepEqual(route('GET', '/v2/'), { kind: 'base' });
  assert.deepEqual(route('HEAD', '/v2'), { kind: 'base' });
  assert.deepEqual(route('GET', '/v2/charts/cert-manager/manifests/v1.16.0'), { kind: 'manifest', name: 'charts/cert-manager', reference: 'v1.16.0' });
  assert.deepEqual(route('HEAD', `/v2/app/manifests/${D}`), { kind: 'manifest', name: 'app', reference: D });
  assert.deepEqual(route('GET', `/v2/app/blobs/${D}?x=1`), { kind: 'blob', name: 'app', digest: D });
  assert.deepEqual(route('GET', '/v2/app/tags/list?n=10'), { kind: 'tags', name: 'app' });
});

test('no catalog, no uploads, no bad names or references', () => {
  for (const p of ['/v2/_catalog', '/v2/app/blobs/uploads/', '/v2/app/blobs/latest', '/v2/App/manifests/v1', '/v2/app/manifests/a%2Fb', '/v2/../etc/manifests/v1', '/v2/app/referrers/' + D, '/']) {
    assert.equal(route('GET', p).kind, 'not-found', p);
  }
});

test('binaries and pages', () => {
  assert.deepEqual(route('GET', '/cmctl/v2.1.0/cmctl-linux-amd64.tar.gz'), { kind: 'binary', name: 'cmctl', tag: 'v2.1.0', file: 'cmctl-linux-amd64.tar.gz' });
  assert.deepEqual(route('GET', '/tools/cmctl/v2.1.0/checksums.txt'), { kind: 'binary', name: 'tools/cmctl', tag: 'v2.1.0', file: 'checksums.txt' });
  assert.equal(route('GET', '/cmctl/v2.1.0/..').kind, 'not-found');
  for (const [p, k] of [['/metrics', 'metrics'], ['/-/stats', 'stats'], ['/-/healthz', 'healthz'], ['/-/ready', 'ready']]) assert.equal(route('GET', p!).kind, k);
});

// A file name with a broken percent escape (`%zz`, a cut UTF-8 sequence) made decodeURIComponent
// throw: any client could draw a 500 and a "warning: error: … URI malformed" line in the
// operator's log per request. It is a path nothing serves: 404.
test('a binary file name with a malformed percent escape is not found, not an error', () => {
  for (const p of ['/cmctl/v2.1.0/%zz', '/cmctl/v2.1.0/cmctl%E0%A4%A', '/cmctl/v2.1.0/%']) {
    assert.deepEqual(route('GET', p), { kind: 'not-found' }, p);
    assert.deepEqual(route('HEAD', p), { kind: 'not-found' }, p);
  }
  assert.deepEqual(route('GET', '/cmctl/v2.1.0/cmctl%2Blinux.tar.gz'), { kind: 'binary', name: 'cmctl', tag: 'v2.1.0', file: 'cmctl+linux.tar.gz' });
});
