// HTTP/2 flow control at a distance: a stream carries at most its window per round trip, and a
// connection's streams together the connection's. With undici's defaults (256 KiB a stream, 512
// KiB a connection) a 100 MiB layer from a TLS registry 20 ms away took 18.0 s over HTTP/2 against
// 1.66 s over HTTP/1.1 (`BENCH_DELAY_MS=20 node bench/http2.mjs`, one 100 MiB layer), and HTTP/2 is
// what regmirror speaks to every TLS registry that offers it. Judged without a clock: the windows
// the client announces, as a real HTTP/2 server (node:http2) sees them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { closePools, createPools } from '../../../src/registry/http/pool.js';
import { testCerts } from '../../harness/tls.js';

let server: Http2SecureServer;
let session: Promise<ServerHttp2Session>;
let caFile: string;

before(async () => {
  const certs = await testCerts();
  caFile = certs.caFile;
  const good = certs.servers.good;
  server = createSecureServer({ cert: readFileSync(good.cert), key: readFileSync(good.key) }, (_req, res) => res.end('{}'));
  session = new Promise((resolve) => server.once('session', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  (await Promise.race([session, undefined]))?.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('over HTTP/2 regmirror announces windows of megabytes: 8 MiB a stream, 32 MiB the connection', async () => {
  const port = (server.address() as AddressInfo).port;
  const pools = createPools({ host: `127.0.0.1:${port}`, tls: 'verify', caFile }, 4);
  try {
    const res = await request(`https://127.0.0.1:${port}/v2/`, { dispatcher: pools.any });
    await res.body.text();
    const s = await session;
    assert.equal(s.alpnProtocol, 'h2', 'spoken over HTTP/2');
    assert.ok((s.remoteSettings.initialWindowSize ?? 0) >= 8 * 1024 * 1024, `stream window ${s.remoteSettings.initialWindowSize}`);
    // What this server may still send on the connection: the client's connection window, less the 2 bytes sent.
    assert.ok((s.state.remoteWindowSize ?? 0) >= 32 * 1024 * 1024 - 1024, `connection window ${s.state.remoteWindowSize}`);
  } finally {
    await closePools(pools);
  }
});
