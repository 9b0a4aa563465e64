// A real HTTP reverse proxy in front of a test registry that injects the faults real registries
// and networks produce (5xx, 429 + Retry-After, cut and corrupted bodies, resets, redirects to a
// blob CDN on another host, latency), so retry/verify/redirect code is tested over real sockets.
import { createServer, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { constants as h2, createSecureServer } from 'node:http2';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import { authorizationFor, type PushAuth } from './seed.js';
import { wireFault } from './wire-faults.js';

/** One fault to inject into a matching request. */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string }
  /** An HTML page with this status, as a load balancer, proxy or login portal sends in a registry's place. */
  | { kind: 'page'; status: number }
  | { kind: 'cut'; afterBytes: number }
  /** The headers and `afterBytes` of the body, then nothing more, the connection left open: a backend stalled mid-body. */
  | { kind: 'stall'; afterBytes: number }
  | { kind: 'flip'; atByte?: number }
  | { kind: 'reset' }
  /** A 307 to the blob CDN, or (`self`) back to the same URL: a redirect loop. */
  | { kind: 'redirect'; to: 'cdn' | 'self' }
  | { kind: 'delay'; ms: number }
  /** A framing fault of a misbehaving proxy (see WireChaosKind), scripted. */
  | { kind: 'wire'; wire: WireChaosKind }
  /** The answer's body in `bytes`-sized pieces, one every 20 ms: a slow link. */
  | { kind: 'trickle'; bytes: number }
  /** Forwarded and done by the registry, but answered with an HTML page of this status (0: a reset): a gateway that gave up waiting. */
  | { kind: 'lost'; status: number }
  /** The request's headers and its first `afterBytes` body bytes reach the registry, then both connections are reset: an upload cut mid-body. */
  | { kind: 'cutRequest'; afterBytes: number };
export type FaultKind = Fault['kind'] | 'chaos';

/** Which requests get a fault: method and path (incl. query) filters; `skip` first, then `times` (default 1; Infinity ok). */
export interface FaultRule {
  method?: string;
  path?: RegExp;
  times?: number;
  skip?: number;
  fault: Fault;
}

/** One request as the proxy answered it; status 0 = socket reset; `bytes` = response body bytes sent on. */
export interface ProxyLogEntry { method: string; path: string; status: number; fault?: FaultKind; bytes?: number }

/** What the proxy saw, for assertions such as "no PUT reached the target". */
export interface ProxyStats { requests: number; injected: Record<FaultKind, number>; log: ProxyLogEntry[] }

/** A running fault proxy; `url`/`host` are what the client under test is pointed at. */
export interface FaultProxy {
  url: string;
  host: string;
  upstream: string;
  cdn: Cdn;
  stats: ProxyStats;
  inject(rule: FaultRule): void;
  /** Removes every rule (stats are kept). */
  clear(): void;
  resetStats(): void;
  /** 307-redirects the next `times` (default 1) GET /v2/.../blobs/sha256:... to the CDN. */
  redirectBlobsToCdn(times?: number): void;
  /** A TLS proxy serves this certificate from its next handshake on (a certificate renewed, or left to expire). */
  useCertificate(cert: { cert: string; key: string }): void;
  close(): Promise<void>;
}

/** One request the CDN received. */
export interface CdnRequest { method: string; path: string; headers: IncomingHttpHeaders }

/** A stand-in for a blob CDN (S3, CloudFront) on a different host than the registry. */
export interface Cdn {
  url: string;
  host: string;
  requests: CdnRequest[];
  /** Authorization headers the CDN received; a client that strips them on redirect leaves this empty. */
  authorizationHeadersSeen: string[];
  close(): Promise<void>;
}

/** Options: the CDN fetches blobs from the upstream with these credentials (the harness's own). */
export interface FaultProxyOptions {
  cdnAuth?: PushAuth;
  /**
   * Registry personalities (test/harness/personalities/): each sees every request before the
   * fault rules; the first to answer (return true) wins, the rest fall through to the upstream.
   */
  personalities?: Personality[];
  /** Serve HTTPS with this certificate (test/harness/tls.ts); `http2` also offers h2 by ALPN ('only': h2 alone). */
  tls?: { cert: string; key: string; http2?: boolean | 'only' };
  /** CA file (PEM) that signed an https:// upstream's certificate. */
  upstreamCa?: string;
  /** Seeded random faults on requests no rule matched (see ChaosOptions). */
  chaos?: ChaosOptions;
}

/** Chaos kinds: network and server faults picked at random for a share of the requests. */
export type ChaosKind = 'reset' | 'resetAfterHeaders' | 'cut' | 'burst5xx' | 'r429' | 'r429RetryAfter' | 'headBody' | 'slowFirstByte' | 'connClose' | 'stall'
  | 'page5xx' | 'slowHeaders' | 'trickle' | WireChaosKind;

/**
 * Framing faults of misbehaving proxies: garbage for a status line, a doubled Content-Length,
 * chunked encoding broken mid-body, an empty line after the answer, an unasked 100 Continue, and
 * a kept-alive socket closed unanswered as the next request arrives on it (test/harness/wire-faults.ts).
 * With page5xx (an HTML 502/503/504), slowHeaders (4-8 s) and trickle (a slow body) they weigh 0
 * unless asked for, so seeds of the first catalogue replay alike.
 */
export type WireChaosKind = 'garbage' | 'dupLength' | 'badChunked' | 'extraLine' | 'continue100' | 'staleClose' | 'shortLength';

/**
 * Seeded random faults: each request's fate is a hash of (seed, method, path with upload ids
 * dropped, how many times that key was seen), so a run is reproducible whatever the interleaving.
 */
export interface ChaosOptions {
  seed: number;
  /** Share of requests that get a fault, 0..1 (a 5xx burst's followers count extra). */
  rate: number;
  /** Kinds and their weights (default: every kind, stall rare). */
  weights?: Partial<Record<ChaosKind, number>>;
  /** false stops injecting (a re-run without faults); can be flipped while running. */
  enabled?: boolean;
  /** Each injected fault, for the run's record. */
  log?: string[];
}

const CHAOS_WEIGHTS: Record<ChaosKind, number> = {
  reset: 2, resetAfterHeaders: 2, cut: 3, burst5xx: 2, r429: 1, r429RetryAfter: 1, headBody: 1, slowFirstByte: 2, connClose: 3, stall: 0.3,
  page5xx: 0, slowHeaders: 0, trickle: 0, garbage: 0, dupLength: 0, badChunked: 0, extraLine: 0, continue100: 0, staleClose: 0, shortLength: 0,
};

// A 32-bit hash of a string (FNV-1a), then mixed: a uniform [0, 1) per (seed, key, salt).
function chaosRandom(seed: number, key: string, salt: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ salt, 0x9e3779b1);
  h ^= h >>> 15; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** A small upstream response read whole, for personalities that rewrite what the registry said. */
export interface UpstreamReply { status: number; headers: IncomingHttpHeaders; body: Buffer }

/** One request as a personality sees it. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path and query as the client sent them. */
  path: string;
  entry: ProxyLogEntry;
  /** The proxy's own origin (http://127.0.0.1:PORT) and the upstream registry's. */
  origin: string;
  upstream: URL;
  cdn: Cdn;
  /** Pass the request through untouched (optionally to another path, or with other headers). */
  forward(opts?: { path?: string; headers?: OutgoingHttpHeaders }): void;
  /** Ask the upstream yourself (headers as given, `host` fixed) and read the whole answer. */
  fetch(method: string, path: string, headers?: OutgoingHttpHeaders, body?: Buffer): Promise<UpstreamReply>;
  /** The whole request body (for requests the personality answers itself). */
  readBody(): Promise<Buffer>;
  /** Answer with `status`, JSON error `code` (distribution's error body) and extra headers. */
  fail(status: number, code: string, message: string, headers?: OutgoingHttpHeaders): void;
}

/** A registry's documented behaviour, played in front of a real distribution registry. */
export type Personality = (ex: Exchange) => boolean | Promise<boolean>;

const BLOB_PATH = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})(?:\?.*)?$/;
const ERROR_CODES: Record<number, string> = { 400: 'MANIFEST_INVALID', 401: 'UNAUTHORIZED', 403: 'DENIED', 404: 'NAME_UNKNOWN', 429: 'TOOMANYREQUESTS', 503: 'UNAVAILABLE' };

/** Starts the proxy (and its CDN) in front of `upstreamUrl`. */
export async function startFaultProxy(upstreamUrl: string, opts: FaultProxyOptions = {}): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const toUpstream = upstreamRequester(upstream, opts.upstreamCa);
  const cdn = await startCdn(upstreamUrl, opts.cdnAuth, opts.upstreamCa);
  const rules: { rule: FaultRule; seen: number; applied: number }[] = [];
  const stats: ProxyStats = { requests: 0, injected: emptyCounts(), log: [] };
  let origin = '';

  const server = serve(opts.tls, (req, res) => {
    stats.requests++;
    const reused = socketUses.has(req.socket);
    socketUses.add(req.socket);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const entry: ProxyLogEntry = { method, path, status: 0 };
    stats.log.push(entry);
    const forward = (body?: BodyFault) => forwardRequest(toUpstream, req, res, upstream, origin, entry, body);
    let fault = pickFault(rules, method, path);
    if (!fault && opts.chaos && opts.chaos.enabled !== false) {
      const c = chaos(opts.chaos, method, path);
      if (c) {
        stats.injected.chaos = (stats.injected.chaos ?? 0) + 1;
        entry.fault = `chaos:${c.kind}` as FaultKind;
        opts.chaos.log?.push(`${method} ${path} ${c.kind}`);
        switch (c.kind) {
          case 'reset': fault = { kind: 'reset' }; break;
          case 'resetAfterHeaders': fault = { kind: 'cut', afterBytes: 0 }; break;
          case 'cut': fault = { kind: 'cut', afterBytes: c.n }; break;
          case 'burst5xx': fault = { kind: 'status', status: [500, 502, 503][c.n % 3]! }; break;
          case 'r429': fault = { kind: 'status', status: 429 }; break;
          case 'r429RetryAfter': fault = { kind: 'status', status: 429, retryAfter: '1' }; break;
          case 'slowFirstByte': fault = { kind: 'delay', ms: 300 + (c.n % 2500) }; break;
          case 'stall': fault = { kind: 'stall', afterBytes: c.n % 3000 }; break;
          case 'connClose':
            res.setHeader('connection', 'close');
            break;
          case 'headBody':
            if (method === 'HEAD' && req.httpVersion === '1.1') return headBody(toUpstream, req, res, upstream, entry);
            res.setHeader('connection', 'close');
            break;
          case 'page5xx': fault = { kind: 'page', status: [502, 503, 504][c.n % 3]! }; break;
          case 'slowHeaders': fault = { kind: 'delay', ms: 4000 + (c.n % 4000) }; break;
          case 'trickle': fault = { kind: 'trickle', bytes: 512 + (c.n % 4096) }; break;
          default:
            fault = req.httpVersion === '1.1' && (c.kind !== 'staleClose' || reused) ? { kind: 'wire', wire: c.kind } : { kind: 'reset' };
        }
      }
    }
    if (!fault) {
      // Network faults come first; then the registry's personality; then the registry itself.
      const ex = exchange(toUpstream, req, res, method, path, entry, origin, upstream, cdn);
      void (async () => {
        for (const personality of opts.personalities ?? []) if (await personality(ex)) return;
        forward();
      })().catch(() => { if (!res.headersSent) res.writeHead(502).end(); else res.destroy(); });
      return;
    }
    const count = () => { entry.fault = fault.kind; stats.injected[fault.kind]++; };
    switch (fault.kind) {
      case 'status':
        count();
        return answerStatus(req, res, entry, fault.status, fault.retryAfter);
      case 'page':
        count();
        return answerPage(req, res, entry, fault.status);
      case 'reset':
        count();
        // Over HTTP/2 a reset is the stream's (RST_STREAM); the connection's other streams go on.
        if ('stream' in req) (req as unknown as { stream: { close(code: number): void } }).stream.close(h2.NGHTTP2_INTERNAL_ERROR);
        else req.socket.destroy();
        return;
      case 'delay':
        count();
        setTimeout(forward, fault.ms);
        return;
      case 'wire':
        count();
        return wireFault(fault.wire, toUpstream, req, res, upstream, entry, () => forward());
      case 'cut':
      case 'stall':
      case 'flip':
      case 'lost':
      case 'trickle':
      case 'cutRequest':
        count();
        return forward(fault);
      case 'redirect': {
        const m = BLOB_PATH.exec(path);
        if (!m) return forward();
        count();
        const location = fault.to === 'self' ? `${origin}${path}` : `${cdn.url}/blob/${m[2]}?repository=${encodeURIComponent(m[1]!)}&sig=xyz`;
        req.resume();
        entry.status = 307;
        res.writeHead(307, { location, 'content-length': '0' }).end();
        return;
      }
    }
  });
  await listen(server, '127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  origin = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url: origin, host: `127.0.0.1:${port}`, upstream: upstream.origin, cdn, stats,
    inject: (rule) => { rules.push({ rule, seen: 0, applied: 0 }); },
    clear: () => { rules.length = 0; },
    resetStats: () => { stats.requests = 0; stats.injected = emptyCounts(); stats.log.length = 0; },
    redirectBlobsToCdn: (times = 1) => { rules.push({ rule: { method: 'GET', path: BLOB_PATH, times, fault: { kind: 'redirect', to: 'cdn' } }, seen: 0, applied: 0 }); },
    useCertificate: (cert) => {
      if (!opts.tls) throw new Error('useCertificate: this proxy serves plain HTTP');
      (server as unknown as TlsServer).setSecureContext({ cert: readFileSync(cert.cert), key: readFileSync(cert.key) });
    },
    close: async () => { await Promise.all([closeServer(server), cdn.close()]); },
  };
}

// What a personality gets: the request, and ways to pass it on, ask the upstream, or refuse it.
function exchange(toUpstream: Requester, req: IncomingMessage, res: ServerResponse, method: string, path: string, entry: ProxyLogEntry, origin: string, upstream: URL, cdn: Cdn): Exchange {
  return {
    req, res, method, path, entry, origin, upstream, cdn,
    forward: (o = {}) => {
      if (o.path !== undefined) req.url = o.path;
      if (o.headers) req.headers = { ...req.headers, ...o.headers } as IncomingHttpHeaders;
      forwardRequest(toUpstream, req, res, upstream, origin, entry);
    },
    fetch: (m, p, headers = {}, body) => new Promise<UpstreamReply>((resolve, reject) => {
      const up = toUpstream({ hostname: upstream.hostname, port: upstream.port, method: m, path: p, headers: { ...headers, host: upstream.host } }, (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => resolve({ status: upRes.statusCode ?? 502, headers: upRes.headers, body: Buffer.concat(chunks) }));
        upRes.on('error', reject);
      });
      up.on('error', reject);
      up.end(body);
    }),
    readBody: () => new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    }),
    fail: (status, code, message, headers = {}) => {
      req.resume();
      const body = JSON.stringify({ errors: [{ code, message, detail: null }] });
      entry.status = status;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers }).end(body);
    },
  };
}

// Sockets that already carried a request: a staleClose needs a kept-alive one.
const socketUses = new WeakSet<object>();
const chaosSeen = new WeakMap<ChaosOptions, Map<string, number>>();
const chaosBurst = new WeakMap<ChaosOptions, number>();

// This request's chaos fault, if any: a pure function of the seed, the request and its repeat count.
function chaos(c: ChaosOptions, method: string, path: string): { kind: ChaosKind; n: number } | undefined {
  const key = `${method} ${path.replace(/\/blobs\/uploads\/[^?]*/, '/blobs/uploads/').replace(/([?&])(_state|digest)=[^&]*/g, '$1$2')}`;
  let seen = chaosSeen.get(c);
  if (!seen) chaosSeen.set(c, (seen = new Map()));
  const n = (seen.get(key) ?? 0) + 1;
  seen.set(key, n);
  const burst = chaosBurst.get(c) ?? 0;
  if (burst > 0) { chaosBurst.set(c, burst - 1); return { kind: 'burst5xx', n: 2 }; }
  if (chaosRandom(c.seed, key, n) >= c.rate) return undefined;
  const weights = Object.entries({ ...CHAOS_WEIGHTS, ...c.weights }).filter(([, w]) => w > 0) as [ChaosKind, number][];
  const total = weights.reduce((t, [, w]) => t + w, 0);
  let pick = chaosRandom(c.seed + 1, key, n) * total;
  const extra = Math.floor(chaosRandom(c.seed + 2, key, n) * 100_000);
  for (const [kind, w] of weights) {
    if ((pick -= w) < 0) {
      if (kind === 'burst5xx') chaosBurst.set(c, extra % 4);
      return { kind, n: kind === 'cut' ? 1 + (extra % 60_000) : extra };
    }
  }
  return undefined;
}

// A HEAD answered with the GET's body (a middlebox that forgets HEAD has none): the bytes land on
// the kept-alive socket, where a client reusing it reads them as the start of its next answer.
function headBody(toUpstream: Requester, req: IncomingMessage, res: ServerResponse, upstream: URL, entry: ProxyLogEntry): void {
  const headers: OutgoingHttpHeaders = { ...req.headers, host: upstream.host };
  delete headers.connection;
  const up = toUpstream({ hostname: upstream.hostname, port: upstream.port, method: 'GET', path: req.url, headers }, (upRes) => {
    const chunks: Buffer[] = [];
    upRes.on('data', (c: Buffer) => chunks.push(c));
    upRes.on('end', () => {
      const body = Buffer.concat(chunks);
      const out = rewriteHeaders(upRes.headers, upstream.origin, upstream.origin);
      out['content-length'] = String(body.length);
      entry.status = upRes.statusCode ?? 502;
      const socket = req.socket;
      res.writeHead(upRes.statusCode ?? 502, out).end();
      if (body.length > 0) res.once('finish', () => { if (!socket.destroyed) socket.write(body); });
    });
  });
  up.on('error', () => { if (!res.headersSent) res.writeHead(502).end(); else res.destroy(); });
  up.end();
}

function emptyCounts(): Record<FaultKind, number> {
  return { status: 0, page: 0, cut: 0, flip: 0, reset: 0, redirect: 0, delay: 0, lost: 0, stall: 0, trickle: 0, wire: 0, cutRequest: 0, chaos: 0 };
}

// The first rule still holding faults decides; matches inside its `skip` window pass through.
function pickFault(rules: { rule: FaultRule; seen: number; applied: number }[], method: string, path: string): Fault | undefined {
  for (const r of rules) {
    if (r.rule.method && r.rule.method.toUpperCase() !== method.toUpperCase()) continue;
    if (r.rule.path && !r.rule.path.test(path)) continue;
    if (r.applied >= (r.rule.times ?? 1)) continue;
    r.seen++;
    if (r.seen <= (r.rule.skip ?? 0)) return undefined;
    r.applied++;
    return r.rule.fault;
  }
  return undefined;
}

function answerStatus(req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry, status: number, retryAfter?: string): void {
  // Read the request body first so the client is not cut off mid-upload (a real registry drains it too).
  req.resume();
  req.once('end', () => {
    const body = JSON.stringify({ errors: [{ code: ERROR_CODES[status] ?? 'UNKNOWN', message: 'injected by fault proxy', detail: null }] });
    const headers: OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
    entry.status = status;
    res.writeHead(status, headers).end(body);
  });
}

function answerPage(req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry, status: number): void {
  req.resume();
  req.once('end', () => pageAnswer(res, entry, status));
}

function pageAnswer(res: ServerResponse, entry: ProxyLogEntry, status: number): void {
  const body = `<!DOCTYPE html>\n<html><head><title>${status}</title></head><body><h1>${status}</h1><p>Sign in to continue (injected by fault proxy)</p></body></html>\n`;
  entry.status = status;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
}

type BodyFault = Extract<Fault, { kind: 'cut' } | { kind: 'stall' } | { kind: 'flip' } | { kind: 'lost' } | { kind: 'trickle' } | { kind: 'cutRequest' }>;

function forwardRequest(toUpstream: Requester, req: IncomingMessage, res: ServerResponse, upstream: URL, origin: string, entry: ProxyLogEntry, body?: BodyFault): void {
  const headers: OutgoingHttpHeaders = { ...req.headers, host: upstream.host };
  delete headers.connection;
  // HTTP/2 pseudo-headers (:method, :path, …) are not HTTP/1.1 headers.
  for (const name of Object.keys(headers)) if (name.startsWith(':')) delete headers[name];
  const up = toUpstream({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (upRes) => {
    if (body?.kind === 'lost') {
      upRes.resume();
      upRes.once('end', () => (body.status === 0 ? req.socket.destroy() : pageAnswer(res, entry, body.status)));
      return;
    }
    entry.status = upRes.statusCode ?? 0;
    res.writeHead(upRes.statusCode ?? 502, rewriteHeaders(upRes.headers, upstream.origin, origin));
    // The upstream dying mid-answer (a registry stopped) ends the client's answer too, as it would
    // without a proxy in between (a pipe alone would leave it open until the client's timeout).
    upRes.once('aborted', () => res.destroy());
    if (!body) {
      upRes.on('data', (chunk: Buffer) => { entry.bytes = (entry.bytes ?? 0) + chunk.length; });
      upRes.pipe(res);
      return;
    }
    if (body.kind === 'cut') return cutBody(upRes, res, body.afterBytes, entry);
    if (body.kind === 'stall') return stallBody(upRes, res, body.afterBytes, entry);
    if (body.kind === 'trickle') return trickleBody(upRes, res, body.bytes);
    if (body.kind === 'cutRequest') return void res.destroy();
    const length = Number(upRes.headers['content-length'] ?? 0);
    flipBody(upRes, res, body.atByte ?? Math.floor(length / 2));
  });
  up.on('error', () => {
    if (res.headersSent) res.destroy();
    else { entry.status = 502; res.writeHead(502).end(); }
  });
  if (body?.kind === 'cutRequest') return cutRequest(req, up, body.afterBytes);
  req.pipe(up);
}

// The first `afterBytes` of the request's body go on, then both sides are reset (the upstream
// has read them: it handles a body that ended early as the registry does a client gone).
function cutRequest(req: IncomingMessage, up: ClientRequest, afterBytes: number): void {
  let sent = 0;
  req.on('data', (chunk: Buffer) => {
    if (sent >= afterBytes) return;
    const part = chunk.subarray(0, afterBytes - sent);
    sent += part.length;
    if (sent < afterBytes) return void up.write(part);
    up.write(part, () => setTimeout(() => { up.destroy(); req.socket.destroy(); }, 200));
  });
}

function cutBody(upRes: IncomingMessage, res: ServerResponse, afterBytes: number, entry: ProxyLogEntry): void {
  let sent = 0;
  const cut = () => { upRes.destroy(); res.socket?.destroy(); };
  if (afterBytes <= 0) { res.flushHeaders(); setImmediate(cut); return; }
  upRes.on('data', (chunk: Buffer) => {
    if (sent >= afterBytes) return;
    const part = chunk.subarray(0, afterBytes - sent);
    sent += part.length;
    entry.bytes = sent;
    if (sent >= afterBytes) res.write(part, cut);
    else res.write(part);
  });
  upRes.on('end', () => { if (sent < afterBytes) res.write('', cut); });
}

function stallBody(upRes: IncomingMessage, res: ServerResponse, afterBytes: number, entry: ProxyLogEntry): void {
  let sent = 0;
  res.flushHeaders();
  upRes.on('data', (chunk: Buffer) => {
    if (sent >= afterBytes) return;
    const part = chunk.subarray(0, afterBytes - sent);
    sent += part.length;
    entry.bytes = sent;
    res.write(part);
  });
  // The rest is read and dropped; the client's answer is never ended (until the proxy closes).
}

// A slow link: each piece of the answer 20 ms after the last, the upstream paused meanwhile.
function trickleBody(upRes: IncomingMessage, res: ServerResponse, bytes: number): void {
  upRes.on('data', (chunk: Buffer) => {
    upRes.pause();
    const pieces: Buffer[] = [];
    for (let i = 0; i < chunk.length; i += bytes) pieces.push(chunk.subarray(i, i + bytes));
    const next = () => {
      const piece = pieces.shift();
      if (!piece) return void upRes.resume();
      if (res.destroyed) return void upRes.destroy();
      res.write(piece);
      setTimeout(next, 20);
    };
    next();
  });
  upRes.on('end', () => res.end());
}

function flipBody(upRes: IncomingMessage, res: ServerResponse, atByte: number): void {
  let offset = 0;
  upRes.on('data', (chunk: Buffer) => {
    if (atByte >= offset && atByte < offset + chunk.length) {
      chunk = Buffer.from(chunk);
      chunk[atByte - offset] = chunk[atByte - offset]! ^ 0xff;
    }
    offset += chunk.length;
    res.write(chunk);
  });
  upRes.on('end', () => res.end());
}

// Keep clients on the proxy: only absolute URLs pointing at the upstream are rewritten (a token
// realm on its own host stays as it is).
export function rewriteHeaders(headers: IncomingHttpHeaders, upstreamOrigin: string, proxyOrigin: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...headers };
  delete out.connection;
  delete out['keep-alive'];
  delete out['transfer-encoding']; // framing is per hop (and not an HTTP/2 header)
  const location = headers.location;
  if (location?.startsWith(upstreamOrigin)) out.location = proxyOrigin + location.slice(upstreamOrigin.length);
  const challenge = headers['www-authenticate'];
  if (challenge?.includes(`realm="${upstreamOrigin}`)) out['www-authenticate'] = challenge.split(`realm="${upstreamOrigin}`).join(`realm="${proxyOrigin}`);
  return out;
}

/**
 * Starts the CDN on 127.0.0.2 (another host than the registry's 127.0.0.1, so clients treat a
 * redirect there as cross-host) serving GET/HEAD /blob/<digest>?repository=R&sig=... from the upstream.
 */
export async function startCdn(upstreamUrl: string, upstreamAuth?: PushAuth, upstreamCa?: string): Promise<Cdn> {
  const upstream = new URL(upstreamUrl);
  const toUpstream = upstreamRequester(upstream, upstreamCa);
  const requests: CdnRequest[] = [];
  const authorizationHeadersSeen: string[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    if (req.headers.authorization) authorizationHeadersSeen.push(req.headers.authorization);
    void serveBlob(toUpstream, req, res, upstream, upstreamAuth).catch(() => res.destroy());
  });
  let hostname = '127.0.0.2';
  try {
    await listen(server, hostname);
  } catch {
    hostname = 'localhost'; // hosts without 127.0.0.0/8 routing (macOS): another name for the same address
    await listen(server, '127.0.0.1');
  }
  const host = `${hostname}:${(server.address() as AddressInfo).port}`;
  return { url: `http://${host}`, host, requests, authorizationHeadersSeen, close: () => closeServer(server) };
}

async function serveBlob(toUpstream: Requester, req: IncomingMessage, res: ServerResponse, upstream: URL, auth: PushAuth | undefined): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://cdn');
  const digest = /^\/blob\/(sha256:[a-f0-9]{64})$/.exec(url.pathname)?.[1];
  const repository = url.searchParams.get('repository');
  if (!url.searchParams.get('sig')) { res.writeHead(403).end('missing signature'); return; }
  if (!digest || !repository) { res.writeHead(404).end(); return; }
  const headers: OutgoingHttpHeaders = {};
  const authorization = await authorizationFor(auth, `repository:${repository}:pull`);
  if (authorization) headers.authorization = authorization;
  if (req.headers.range) headers.range = req.headers.range;
  const up = toUpstream({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: `/v2/${repository}/blobs/${digest}`, headers }, (upRes) => {
    const out: OutgoingHttpHeaders = { 'content-type': 'application/octet-stream' };
    for (const name of ['content-length', 'content-range', 'accept-ranges', 'etag'] as const) if (upRes.headers[name]) out[name] = upRes.headers[name];
    res.writeHead(upRes.statusCode ?? 502, out);
    upRes.pipe(res);
  });
  up.on('error', () => res.destroy());
  up.end();
}

/** Sends a request to the upstream registry (HTTP or HTTPS with its CA). */
export type Requester = (options: RequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest;

// Requests to the upstream: plain HTTP, or HTTPS trusting `ca` (a test registry's CA).
function upstreamRequester(upstream: URL, caFile: string | undefined): Requester {
  if (upstream.protocol !== 'https:') return httpRequest;
  const ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
  return (options, onResponse) => httpsRequest({ ...options, ...(ca ? { ca } : {}) }, onResponse);
}

// An HTTP, HTTPS, or HTTPS + HTTP/2 (with HTTP/1.1 fallback) server around the same handler.
function serve(tls: FaultProxyOptions['tls'], handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  if (!tls) return createServer(handler);
  const creds = { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
  if (!tls.http2) return createHttpsServer(creds, handler);
  const server = createSecureServer({ ...creds, allowHTTP1: tls.http2 !== 'only' }, handler as never);
  const sockets = new Set<Socket>();
  server.on('secureConnection', (socket: Socket) => { sockets.add(socket); socket.once('close', () => sockets.delete(socket)); });
  // closeServer() calls closeAllConnections(), which an HTTP/2 server lacks: end its sockets here.
  return Object.assign(server, { closeAllConnections: () => { for (const socket of sockets) socket.destroy(); } }) as unknown as Server;
}

function listen(server: Server, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => { server.off('error', reject); resolve(); });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
