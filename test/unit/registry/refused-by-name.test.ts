// A registry named `localhost:PORT` that listens on [::1] only, where localhost resolves to
// 127.0.0.1 (or the other way round on a dual-stack host): the line said "nothing accepts
// connections at that address and port", hiding which address was tried, so an IPv4/IPv6 mismatch
// looked like a registry that is down. A name now says the addresses it led to; an address stays
// as it was (it is named in the URL already). The errors are Node's own, from a real connection.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo } from 'node:net';
import { unreachable } from '../../../src/registry/http/unreachable.js';

/** A port nothing listens on (bound on 127.0.0.1, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function refusal(host: string, port: number): Promise<Error> {
  return new Promise((resolve) => connect({ host, port, family: host === 'localhost' ? 4 : 0 }).on('error', resolve));
}

it('localhost:PORT refused: names the address localhost led to', async () => {
  const port = await closedPort();
  const req = { method: 'GET', url: new URL(`https://localhost:${port}/v2/`), scopes: [] };
  const err = unreachable(`localhost:${port}`, req, await refusal('localhost', port));
  assert.match(err.message, new RegExp(`: nothing accepts connections at 127\\.0\\.0\\.1:${port}, where localhost led \\(ECONNREFUSED\\)$`));
});

it('an address refused: the words it had', async () => {
  const port = await closedPort();
  const req = { method: 'GET', url: new URL(`https://127.0.0.1:${port}/v2/`), scopes: [] };
  const err = unreachable(`127.0.0.1:${port}`, req, await refusal('127.0.0.1', port));
  assert.match(err.message, /: nothing accepts connections at that address and port \(ECONNREFUSED\)$/);
});
