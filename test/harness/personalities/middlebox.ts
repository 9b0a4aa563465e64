// A middlebox (corporate proxy, CDN, web server, load balancer) that rewrites registry answers on
// the way back: gzips bodies nobody asked to have compressed, labels them with a coding, changes or
// drops Content-Type or WWW-Authenticate, or states a wrong Content-Length.
// Each answer is read whole from the upstream first, so only small test content goes through it.
import { gzipSync } from 'node:zlib';
import type { OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Personality } from '../fault-proxy.js';
import { passOn } from './upstream-reply.js';

/** What the middlebox does to the answers of the requests it matches. */
export interface MiddleboxRewrite {
  method?: string;
  path?: RegExp;
  /** `Content-Encoding: gzip` on every body, asked for or not. */
  gzip?: boolean;
  /** `Content-Encoding` set to this with the body untouched (a web server labelling a .tar.gz `x-gzip`). */
  label?: string;
  /** A Content-Type in the registry's place, or null to send none. */
  contentType?: string | null;
  /** No `WWW-Authenticate` on a 401 (a proxy that drops the header). */
  dropChallenge?: boolean;
  /** The answer written raw: `Content-Length` off by this many bytes (too many: the socket closes after the body). */
  lengthDelta?: number;
  /**
   * The answer written raw, chunked, with the upstream's Content-Length kept (its length before any
   * gzip) ahead of or after `Transfer-Encoding: chunked`: a proxy that re-frames what it changed.
   */
  chunked?: 'length-first' | 'length-last';
}

/** Counts the answers the middlebox rewrote. */
export interface MiddleboxStats { rewritten: number }

/** The middlebox: answers every request matching `rewrite` from the upstream's, rewritten. */
export function middlebox(rewrite: MiddleboxRewrite, stats: MiddleboxStats = { rewritten: 0 }): Personality {
  return async (ex) => {
    if (rewrite.method && rewrite.method !== ex.method) return false;
    if (rewrite.path && !rewrite.path.test(ex.path)) return false;
    const body = ex.method === 'GET' || ex.method === 'HEAD' ? undefined : await ex.readBody();
    const reply = await ex.fetch(ex.method, ex.path, { ...passOn(ex), ...(body ? { 'content-length': String(body.byteLength) } : {}) }, body);
    const headers: OutgoingHttpHeaders = { ...reply.headers };
    for (const name of ['connection', 'keep-alive', 'transfer-encoding']) delete headers[name];
    const location = reply.headers.location;
    if (location?.startsWith(ex.upstream.origin)) headers.location = ex.origin + location.slice(ex.upstream.origin.length);
    let out = reply.body;
    if (rewrite.gzip && reply.body.byteLength > 0) {
      out = gzipSync(reply.body);
      headers['content-encoding'] = 'gzip';
      if (ex.method === 'HEAD') delete headers['content-length'];
    }
    if (rewrite.label) headers['content-encoding'] = rewrite.label;
    if (rewrite.contentType === null) delete headers['content-type'];
    else if (rewrite.contentType !== undefined) headers['content-type'] = rewrite.contentType;
    if (rewrite.dropChallenge) delete headers['www-authenticate'];
    if (ex.method !== 'HEAD') headers['content-length'] = String(out.byteLength);
    stats.rewritten++;
    ex.entry.status = reply.status;
    if (rewrite.lengthDelta !== undefined || rewrite.chunked) return raw(ex.req.socket, reply.status, headers, ex.method === 'HEAD' ? Buffer.alloc(0) : out, rewrite, reply.body.byteLength, ex.method === 'HEAD');
    ex.res.writeHead(reply.status, headers);
    ex.res.end(ex.method === 'HEAD' ? undefined : out);
    return true;
  };
}

// Writes the answer on the socket by hand, framed as the middlebox frames it.
function raw(socket: Socket, status: number, headers: OutgoingHttpHeaders, body: Buffer, rewrite: MiddleboxRewrite, upstreamLength: number, head: boolean): true {
  const out: OutgoingHttpHeaders = { ...headers };
  delete out['content-length'];
  const lines = [`HTTP/1.1 ${status} X`];
  for (const [name, value] of Object.entries(out)) for (const v of [value].flat()) if (v !== undefined) lines.push(`${name}: ${v}`);
  if (rewrite.chunked === 'length-last') lines.push('transfer-encoding: chunked');
  lines.push(`content-length: ${rewrite.chunked ? upstreamLength : body.byteLength + (rewrite.lengthDelta ?? 0)}`);
  if (rewrite.chunked === 'length-first') lines.push('transfer-encoding: chunked');
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (rewrite.chunked && head) return true;
  if (rewrite.chunked) socket.write(body.byteLength > 0 ? `${body.byteLength.toString(16)}\r\n${body.toString('latin1')}\r\n0\r\n\r\n` : '0\r\n\r\n', 'latin1');
  else socket.write(body);
  if ((rewrite.lengthDelta ?? 0) > 0) socket.end();
  return true;
}
