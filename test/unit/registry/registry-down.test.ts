// A registry that took this run's connections and then refuses new ones is waited for
// (restart-wait.ts); one not back within the wait is said as a registry that went down, not as an
// address where nothing ever listened (unreachable.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { buildConnector } from 'undici';
import { awaitingReturn } from '../../../src/registry/http/restart-wait.js';
import { unreachable } from '../../../src/registry/http/unreachable.js';

/** A loopback port where nothing listens (taken from the kernel, then let go). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a registry that answered earlier connections and is not back within the wait is said to have gone down', async () => {
  const port = await closedPort();
  const url = new URL(`https://127.0.0.1:${port}/v2/app/manifests/v1`);
  const refused = () => Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), { code: 'ECONNREFUSED' });
  const req = { method: 'PUT', url, scopes: [] };
  // Never answered: the line of an address where nothing listens, at once.
  const never = awaitingReturn({ url, name: url.host, via: 'to' }, (_o, callback) => callback(refused(), null), () => true, 300);
  const first = await new Promise<Error>((resolve) => never({} as buildConnector.Options, (err: Error | null, _socket: unknown) => resolve(err!)));
  assert.equal(unreachable(`127.0.0.1:${port}`, req, first).message, `127.0.0.1:${port} unreachable: PUT https://127.0.0.1:${port}/v2/app/manifests/v1: nothing accepts connections at that address and port (ECONNREFUSED)`);
  // One connection taken, as a sync's first requests are; the next refused, and nothing listens within the wait.
  let calls = 0;
  const restarting = awaitingReturn({ url, name: url.host, via: 'to' }, (_o, callback) => (calls++ === 0 ? callback(null, {} as Socket) : callback(refused(), null)), () => true, 300);
  restarting({} as buildConnector.Options, () => undefined);
  const started = Date.now();
  const err = await new Promise<Error>((resolve) => restarting({} as buildConnector.Options, (e: Error | null, _socket: unknown) => resolve(e!)));
  assert.ok(Date.now() - started >= 250, 'waited for it');
  assert.equal(unreachable(`127.0.0.1:${port}`, req, err).message, `127.0.0.1:${port} unreachable: PUT https://127.0.0.1:${port}/v2/app/manifests/v1: it stopped taking connections (ECONNREFUSED) after answering earlier ones of this run, and was not back within 30 s: it went down or is restarting; check that it runs, then run again (it goes on from what was copied)`);
});
