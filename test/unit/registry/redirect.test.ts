import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { headersForHop, mustStripCredentials } from '../../../src/registry/http/redirect.js';
import { nextLink } from '../../../src/registry/link.js';

describe('redirect credential stripping', () => {
  const registry = new URL('https://quay.io/v2/a/blobs/sha256:x');
  it('keeps credentials on the same origin only', () => {
    assert.equal(mustStripCredentials(registry, new URL('https://quay.io/other')), false);
    assert.equal(mustStripCredentials(registry, new URL('https://cdn.quay.io/blob')), true);
    assert.equal(mustStripCredentials(registry, new URL('http://quay.io/v2/')), true);
    assert.equal(mustStripCredentials(registry, new URL('https://quay.io:8443/v2/')), true);
  });
  it('drops Authorization and cookies on a cross-origin hop, keeps the rest', () => {
    const headers = { Authorization: 'Bearer secret-token', cookie: 'a=b', accept: 'x/y' };
    assert.deepEqual(headersForHop(headers, registry, new URL('https://s3.example.com/b?X-Amz-Signature=1')), { accept: 'x/y' });
    assert.deepEqual(headersForHop(headers, registry, new URL('https://quay.io/elsewhere')), headers);
  });
});

describe('nextLink', () => {
  it('finds rel="next" among several links', () => {
    assert.equal(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"'), '/v2/a/tags/list?n=2&last=b');
    assert.equal(nextLink('<https://x/prev>; rel="prev", <https://x/next>; rel=next'), 'https://x/next');
    assert.equal(nextLink('<https://x/first>; rel="first"'), undefined);
    assert.equal(nextLink(undefined), undefined);
  });
});
