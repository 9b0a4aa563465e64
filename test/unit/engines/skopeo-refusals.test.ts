import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { refusedOrigin, RefusingHosts, refusingHostsUnlessProxied, silentOrigin } from '../../../src/engines/skopeo-refusals.js';
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

describe('silent addresses in skopeo\'s words', () => {
  it('names the address of a TLS handshake, dial or header timeout, and nothing else', () => {
    const raw = 'time="x" level=fatal msg="copying image 1/3 from manifest list: trying to reuse blob sha256:1c at destination: pinging container registry 127.0.0.1:29572: Get \\"https://127.0.0.1:29572/v2/\\": net/http: TLS handshake timeout"';
    assert.equal(silentOrigin(raw)?.href, 'https://127.0.0.1:29572/');
    assert.equal(silentOrigin(lastMeaningfulLine(raw))?.host, '127.0.0.1:29572');
    assert.equal(silentOrigin('Get "https://quay.io/v2/": dial tcp 34.1.2.3:443: i/o timeout')?.host, 'quay.io');
    assert.equal(silentOrigin('Get "http://127.0.0.1:5001/v2/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)')?.host, '127.0.0.1:5001');
    for (const line of [
      'Get "http://127.0.0.1:5001/v2/": dial tcp 127.0.0.1:5001: connect: connection refused',
      'failed to read from destination repository x: 504 (Gateway Timeout)',
      'writing blob: Patch "http://127.0.0.1:5001/v2/x/blobs/uploads/u": read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer',
    ]) assert.equal(silentOrigin(line), undefined, line);
  });

  it('fails later copies while the address accepts connections and never answers, and lets them run once it answers', async () => {
    // A server that accepts and says nothing: a hung registry behind a kernel that still accepts.
    const held: Socket[] = [];
    let answer = false;
    const server: Server = createServer((socket) => {
      if (answer) socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
      else held.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const hosts = new RefusingHosts();
      const line = `pinging container registry ${host}: Get "http://${host}/v2/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
      assert.equal(hosts.remember(line, [host]), true);
      assert.equal(await hosts.stillRefusing([host]), line, 'silent');
      answer = true;
      assert.equal(await hosts.stillRefusing([host]), undefined, 'answers again');
    } finally {
      for (const socket of held) socket.destroy();
      server.close();
    }
  });
});
