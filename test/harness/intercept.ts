// A TLS-intercepting proxy's tunnel, as corporate egress proxies decrypt HTTPS (Zscaler, Blue
// Coat, Palo Alto's SSL decryption): the proxy answers CONNECT, ends the client's TLS itself with
// a certificate for the requested name that the corporate CA signs on the fly, and speaks TLS to
// the real registry behind. Only a client that trusts the corporate CA (installed in the
// machine's store) gets through; the registry's own certificate never reaches it.
import { readFile } from 'node:fs/promises';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { scratchDir } from './scratch.js';
import { signCert, type ServerCert } from './tls.js';

/** The CA the proxy signs with, and what it trusts the registries behind it by. */
export interface Interception {
  ca: ServerCert;
  upstreamCa: string;
}

const leaves = new Map<string, Promise<SecureContext>>();
let signing: Promise<unknown> = Promise.resolve();

/** The proxy's certificate for `hostname`, signed once per CA and name (one signing at a time: the CA's serial file). */
function leafFor(ca: ServerCert, hostname: string): Promise<SecureContext> {
  const key = `${ca.cert}\0${hostname}`;
  let leaf = leaves.get(key);
  if (!leaf) {
    leaf = signing.then(async () => {
      const dir = await scratchDir('intercepted');
      const san = isIP(hostname) ? `IP:${hostname}` : `DNS:${hostname}`;
      const made = await signCert(dir, ca, hostname, san);
      return createSecureContext({ cert: await readFile(made.cert), key: await readFile(made.key) });
    });
    signing = leaf.catch(() => undefined);
    leaves.set(key, leaf);
  }
  return leaf;
}

/** Opens the tunnel `client` asked for (`hostname`), decrypting it, to the registry at `host:port`; HTTP/1.1 on both sides. */
export async function interceptTunnel(client: Duplex, hostname: string, [host, port]: [string, number], opts: Interception, sockets: Set<Duplex>): Promise<void> {
  const [context, upstreamCa] = await Promise.all([leafFor(opts.ca, hostname), readFile(opts.upstreamCa)]);
  client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  const inner = new TLSSocket(client as Socket, { isServer: true, secureContext: context, ALPNProtocols: ['http/1.1'] });
  const upstream = tlsConnect({ host, port, servername: hostname, ca: upstreamCa, ALPNProtocols: ['http/1.1'] });
  for (const s of [inner, upstream]) {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  }
  inner.on('error', () => upstream.destroy());
  upstream.on('error', () => inner.destroy());
  inner.once('close', () => upstream.destroy());
  upstream.once('close', () => inner.destroy());
  inner.pipe(upstream).pipe(inner);
}
