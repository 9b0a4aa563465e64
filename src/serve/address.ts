// Who a request comes from, for rate limits and retry de-duplication only (it is hashed before
// use and never written). Behind a load balancer on a private or loopback address, the left-most
// X-Forwarded-For address is the client; from anywhere else that header could be forged.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** True for loopback and private (RFC 1918, RFC 4193) addresses: where a cluster's proxies live. */
export function isPrivateAddress(address: string): boolean {
  const a = address.replace(/^::ffff:/, '');
  if (isIP(a) === 4) {
    const [x, y] = a.split('.').map(Number) as [number, number];
    return x === 127 || x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168);
  }
  return a === '::1' || /^f[cd][0-9a-f]{2}:/i.test(a);
}

/** The client's address as the gateway should count it. */
export function clientAddress(req: IncomingMessage): string {
  const peer = req.socket.remoteAddress ?? '';
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first && isPrivateAddress(peer) && isIP(first) ? first : peer;
}
