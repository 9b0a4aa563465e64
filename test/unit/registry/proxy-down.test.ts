// A proxy that carried this run's connections and then refused or reset new ones went down: its line
// says so, not that HTTPS_PROXY may name something else than a forward proxy (proxy-refusals.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { buildConnector } from 'undici';
import { proxyEnv } from '../../../src/registry/http/proxy-env.js';
import { unreachable } from '../../../src/registry/http/proxy-refusals.js';
import { awaitingReturn, sayReturnWaits } from '../../../src/registry/http/restart-wait.js';
import { proxyPeer } from '../../../src/registry/http/proxy-peer.js';
import { ProxyError } from '../../../src/types/errors.js';

const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

test('a reset from a proxy that carried earlier connections says it went down, not that it is named wrong', () => {
  const route = proxyEnv({ HTTPS_PROXY: 'http://proxy.corp:3128' }).https!;
  assert.match(unreachable(route, 'quay.io:443', reset), /closed the connection without answering \(ECONNRESET\): check that HTTPS_PROXY names a forward proxy/);
  // One connection carried through it, as a sync's first requests are.
  const connected: buildConnector.connector = (_opts, callback) => callback(null, {} as Socket);
  awaitingReturn(proxyPeer(route), connected, () => true)({} as buildConnector.Options, () => undefined);
  assert.equal(unreachable(route, 'quay.io:443', reset), 'quay.io:443: the proxy http://proxy.corp:3128 (HTTPS_PROXY) stopped taking connections (ECONNRESET) after carrying earlier ones of this run, and was not back within 30 s: it went down or is restarting; check that it runs, then run again, or exempt quay.io in NO_PROXY if it is reached without the proxy');
});

/** A connector through `route` whose second connection finds the proxy gone (it refused, as a restarting squid does). */
function goneOnce(): buildConnector.connector {
  let calls = 0;
  return (_opts, callback) => (++calls === 2 ? callback(new ProxyError('quay.io:443', undefined, 'refused (ECONNREFUSED)', true), null) : callback(null, {} as Socket));
}

test('a wait for a proxy that went away is said as -v lines, and how it ended (gateway3 hunt: a gateway request lost its deadline to it unsaid)', async () => {
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const said: string[] = [];
  const stop = sayReturnWaits((line) => said.push(line.replace(/after \d+\.\d s/, 'after N s')));
  try {
    const connect = awaitingReturn(proxyPeer(proxyEnv({ HTTPS_PROXY: `http://127.0.0.1:${port}` }).https!), goneOnce(), (e) => e instanceof ProxyError, 5000);
    connect({} as buildConnector.Options, () => undefined);
    const second = await new Promise((resolve) => connect({} as buildConnector.Options, (err, socket) => resolve(err ?? socket)));
    assert.ok(!(second instanceof Error), 'it went once more when the proxy was back');
    assert.deepEqual(said, [
      `the proxy http://127.0.0.1:${port} (HTTPS_PROXY) stopped taking connections after carrying earlier ones: connections through it wait up to 5 s for it to come back (a restart)`,
      `the proxy http://127.0.0.1:${port} (HTTPS_PROXY) takes connections again after N s: the waiting ones go on`,
    ]);
    // Not back in time: said so too.
    await new Promise<void>((r) => server.close(() => r()));
    said.length = 0;
    const gone = awaitingReturn(proxyPeer(proxyEnv({ HTTPS_PROXY: `http://127.0.0.1:${port}` }).https!), goneOnce(), (e) => e instanceof ProxyError, 600);
    gone({} as buildConnector.Options, () => undefined);
    assert.ok(await new Promise((resolve) => gone({} as buildConnector.Options, (err, _socket) => resolve(err))) instanceof ProxyError);
    assert.deepEqual(said.slice(1), [`the proxy http://127.0.0.1:${port} (HTTPS_PROXY) is not back after N s: the waiting connections fail`]);
  } finally {
    stop();
    server.close();
  }
});
