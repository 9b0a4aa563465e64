import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { refusedOrigin, RefusingHosts, refusingHostsUnlessProxied } from '../../../src/engines/skopeo-refusals.js';
import { lastMeaningfulLine } from '../../../src/engines/skopeo-errors.js';

describe('refused connections in skopeo\'s words', () => {
  it('names the address skopeo was given, from the fatal line or its unwrapped message', () => {
    const raw = 'time="x" level=fatal msg="copying image 1/2 from manifest list: trying to reuse blob sha256:ab at destination: pinging container registry 127.0.0.1:43099: Get \\"https://127.0.0.1:43099/v2/\\": dial tcp 127.0.0.1:43099: connect: connection refused"';
    assert.equal(refusedOrigin(raw)?.host, '127.0.0.1:43099');
    assert.equal(refusedOrigin(lastMeaningfulLine(raw))?.href, 'https://127.0.0.1:43099/');
    assert.equal(refusedOrigin('Get "https://quay.io/v2/": dial tcp 34.1.2.3:443: connect: connection refused')?.host, 'quay.io');
  });

  it('is not a reset, a timeout, a 5xx or a DNS failure', () => {
    for (const line of [
      'writing blob: Patch "http://127.0.0.1:5001/v2/x/blobs/uploads/u": read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer',
      'pinging container registry quay.io: Get "https://quay.io/v2/": dial tcp: lookup quay.io on 127.0.0.53:53: no such host',
      'Get "https://quay.io/v2/": dial tcp 34.1.2.3:443: i/o timeout',
      'failed to read from destination repository x: 500 (Internal Server Error)',
    ]) assert.equal(refusedOrigin(line), undefined, line);
  });

  it('remembers only the hosts of the copy, and forgets one that worked', async () => {
    const hosts = new RefusingHosts();
    const line = 'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused';
    assert.equal(hosts.remember(line, ['127.0.0.1:2']), false);
    assert.equal(hosts.remember(line, ['127.0.0.1:1', '127.0.0.1:2']), true);
    assert.equal(await hosts.stillRefusing(['127.0.0.1:1']), line, 'nothing listens on port 1');
    assert.equal(await hosts.stillRefusing(['127.0.0.1:2']), undefined);
    hosts.forget('127.0.0.1:1');
    assert.equal(await hosts.stillRefusing(['127.0.0.1:1']), undefined);
  });

  it('is not kept through a proxy, where skopeo connects to the proxy instead', () => {
    assert.equal(refusingHostsUnlessProxied({ HTTPS_PROXY: 'http://proxy.example:3128' }), undefined);
    assert.equal(refusingHostsUnlessProxied({ http_proxy: 'http://proxy.example:3128' }), undefined);
    assert.ok(refusingHostsUnlessProxied({}) instanceof RefusingHosts);
  });
});
