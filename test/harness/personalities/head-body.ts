// A registry or middlebox that answers HEAD with a body (issue 9). The body's bytes are put on the
// kept-alive socket just before the next response on it, where a client that reuses connections
// reads them as the start of that response: "Response does not match the HTTP/1.1 protocol".
// Deterministic: no timing, the bytes land exactly where a slow middlebox would put them.
import type { Socket } from 'node:net';
import type { Personality } from '../fault-proxy.js';

/** Counts what the personality did, for assertions. */
export interface HeadBodyStats { heads: number; desynced: number }

/** Answers every HEAD from the upstream's GET, then sends that body late on the same socket. */
export function headWithBody(stats: HeadBodyStats = { heads: 0, desynced: 0 }): Personality {
  const pending = new WeakMap<Socket, Buffer>();
  return async (ex) => {
    const socket = ex.req.socket;
    const stray = pending.get(socket);
    if (stray) {
      pending.delete(socket);
      stats.desynced++;
      socket.write(stray);
    }
    if (ex.method !== 'HEAD' || ex.req.httpVersion !== '1.1') return false;
    stats.heads++;
    const headers = { ...ex.req.headers };
    const reply = await ex.fetch('GET', ex.path, headers);
    const out = { ...reply.headers };
    delete out['transfer-encoding'];
    delete out.connection;
    out['content-length'] = String(reply.body.length);
    ex.entry.status = reply.status;
    ex.res.writeHead(reply.status, out).end();
    if (reply.body.length > 0) ex.res.once('finish', () => pending.set(socket, reply.body));
    return true;
  };
}
