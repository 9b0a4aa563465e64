// The fault proxy's chaos faults that break HTTP/1.1 framing itself, as misbehaving proxies do:
// bytes written on the socket past the server's own framing (garbage for a status line, chunked
// encoding broken mid-body, an empty line after an answer, a Content-Length sent twice, or one 7
// bytes short with the body cut to it: framing a client cannot fault, only the bytes).
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { rewriteHeaders, type ProxyLogEntry, type Requester, type WireChaosKind } from './fault-proxy.js';

/** Answers `req` with the wire fault `kind`; `forward` passes it on untouched. */
export function wireFault(kind: WireChaosKind, toUpstream: Requester, req: IncomingMessage, res: ServerResponse, upstream: URL, entry: ProxyLogEntry, forward: () => void): void {
  if (kind === 'continue100') {
    res.writeContinue();
    return forward();
  }
  if (kind === 'staleClose') {
    entry.status = 0;
    req.socket.end(); // a FIN unanswered, as an idle timeout closes a kept-alive socket
    return;
  }
  if (kind === 'garbage') {
    req.resume();
    entry.status = 0;
    req.socket.write('\x00\x13garbage-not-http \xff\xfe\r\n\r\n');
    setTimeout(() => req.socket.destroy(), 2000).unref();
    return;
  }
  const socket = req.socket;
  const headers: OutgoingHttpHeaders = { ...req.headers, host: upstream.host };
  delete headers.connection;
  const up = toUpstream({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (upRes) => {
    const chunks: Buffer[] = [];
    upRes.on('data', (c: Buffer) => chunks.push(c));
    upRes.on('end', () => {
      const body = Buffer.concat(chunks);
      const status = upRes.statusCode ?? 502;
      const scheme = (socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
      const out = rewriteHeaders(upRes.headers, upstream.origin, `${scheme}://${req.headers.host ?? ''}`);
      entry.status = status;
      if (kind === 'badChunked') {
        delete out['content-length'];
        const head = [`HTTP/1.1 ${status} OK`, 'transfer-encoding: chunked', ...Object.entries(out).map(([k, v]) => `${k}: ${String(v)}`), '', ''].join('\r\n');
        const half = body.subarray(0, body.length >> 1);
        socket.write(head + (half.length ? `${half.length.toString(16)}\r\n` : ''));
        if (half.length) socket.write(half);
        socket.write('\r\nzz-not-a-chunk-size\r\n');
        setTimeout(() => socket.destroy(), 2000).unref();
        return;
      }
      if (kind === 'dupLength') {
        const length = upRes.headers['content-length'] ?? String(body.length);
        delete out['content-length'];
        const flat: string[] = ['content-length', length, 'content-length', length];
        for (const [k, v] of Object.entries(out)) for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined) flat.push(k, String(one));
        res.writeHead(status, flat).end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      if (kind === 'shortLength') {
        // A proxy that rewrote the answer and sent the old length less 7: well framed, the body cut.
        out['content-length'] = String(Math.max(0, body.length - 7));
        res.writeHead(status, out).end(req.method === 'HEAD' ? undefined : body.subarray(0, Math.max(0, body.length - 7)));
        return;
      }
      // extraLine: the whole answer, then an empty line on the kept-alive socket.
      out['content-length'] = upRes.headers['content-length'] ?? String(body.length);
      res.writeHead(status, out).end(req.method === 'HEAD' ? undefined : body);
      res.once('finish', () => { if (!socket.destroyed) socket.write('\r\n'); });
    });
  });
  up.on('error', () => { if (!res.headersSent) res.writeHead(502).end(); else res.destroy(); });
  req.pipe(up);
}
