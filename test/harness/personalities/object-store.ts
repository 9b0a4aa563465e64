// Blob downloads redirected to object storage (S3, GCS, R2 behind ECR, Docker Hub, GAR, quay):
// the registry answers GET and HEAD of a blob it holds with a 307 to a presigned URL on another
// host. That URL refuses any Authorization header (400: one auth mechanism only), refuses HEAD
// (403: the signature covers GET only) and expires (403 "Request has expired"), after which only
// a new GET to the registry gives a fresh one. A stricter, stand-alone cousin of the proxy's CDN.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Personality } from '../fault-proxy.js';
import { authorizationFor, type PushAuth } from '../seed.js';
import { apiPath, passOn, relay } from './upstream-reply.js';

/** `upstreamAuth`: how the store reads blobs from the registry's storage (the harness's admin). */
export interface ObjectStoreOptions {
  upstreamAuth?: PushAuth;
  /** Lifetime of a presigned URL (default 900 s, like S3's default for registries). */
  ttlSeconds?: number;
  /** URLs handed out already expired: the first for each blob (a redirect that waited too long), or all (a broken clock). */
  expired?: 'first' | 'all';
  /** CA file (PEM) that signed an https:// upstream's certificate (the store reads blobs over TLS). */
  upstreamCa?: string;
  /** The first `times` blob answers end their connection after `afterBytes` body bytes (a broken download). */
  cut?: { times: number; afterBytes: number };
}

/** One request the store received (query without the signature); `bytes`: body bytes sent, `range` asked. */
export interface StoreRequest { method: string; path: string; authorization: boolean; status: number; bytes?: number; range?: string }

/** The running store; `personality` goes into startFaultProxy's `personalities`. */
export interface ObjectStore {
  personality: Personality;
  url: string;
  requests: StoreRequest[];
  /** Redirects handed out by the registry, per blob digest. */
  redirects: Map<string, number>;
  close(): Promise<void>;
}

const S3_ERROR = (code: string, message: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;

/** Starts the store on 127.0.0.2 (another host than the registry) in front of `upstreamUrl`. */
export async function startObjectStore(upstreamUrl: string, opts: ObjectStoreOptions = {}): Promise<ObjectStore> {
  const upstream = new URL(upstreamUrl);
  const secret = randomBytes(16);
  const ttl = opts.ttlSeconds ?? 900;
  const requests: StoreRequest[] = [];
  const redirects = new Map<string, number>();
  let cuts = 0;
  const sign = (repo: string, digest: string, date: number, expires: number) => createHmac('sha256', secret).update(`${repo}\n${digest}\n${date}\n${expires}`).digest('hex');

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://store');
    const record: StoreRequest = { method: req.method ?? 'GET', path: url.pathname, authorization: req.headers.authorization !== undefined, status: 0, ...(req.headers.range ? { range: req.headers.range } : {}) };
    requests.push(record);
    const refuse = (status: number, code: string, message: string) => {
      record.status = status;
      const body = S3_ERROR(code, message);
      res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(req.method === 'HEAD' ? undefined : body);
    };
    const [, repo, digest] = /^\/([^@]+)@(sha256:[a-f0-9]{64})$/.exec(url.pathname) ?? [];
    const date = Number(url.searchParams.get('X-Amz-Date'));
    const expires = Number(url.searchParams.get('X-Amz-Expires'));
    if (req.headers.authorization) return refuse(400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified');
    if (req.method !== 'GET') return refuse(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided (signed for GET)');
    if (!repo || !digest || url.searchParams.get('X-Amz-Signature') !== sign(repo, digest, date, expires)) return refuse(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided');
    if (Date.now() / 1000 > date + expires) return refuse(403, 'AccessDenied', 'Request has expired');
    // Only answers longer than the cut are cut (and counted).
    const cut = (length: number) => (opts.cut && length > opts.cut.afterBytes && cuts++ < opts.cut.times ? opts.cut.afterBytes : undefined);
    void serve(res, record, upstream, repo, digest, req.headers.range, opts, cut).catch(() => res.destroy());
  });
  let host = '127.0.0.2';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  }).catch(async () => {
    host = 'localhost'; // no 127.0.0.0/8 routing (macOS): another name for the loopback
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  });
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;

  const personality: Personality = async (ex) => {
    const p = apiPath(ex.path);
    if ((ex.method !== 'GET' && ex.method !== 'HEAD') || p?.kind !== 'blobs' || !/^sha256:[a-f0-9]{64}$/.test(p.rest)) return false;
    // The registry checks access and presence itself before it hands out a URL.
    // (A resumed download's Range is for the store: the registry's HEAD would answer it 206.)
    const { range: _range, ...headers } = passOn(ex);
    const head = await ex.fetch('HEAD', `/v2/${p.name}/blobs/${p.rest}`, headers);
    if (head.status !== 200) {
      relay(ex, head);
      return true;
    }
    const n = (redirects.get(p.rest) ?? 0) + 1;
    redirects.set(p.rest, n);
    const expires = ttl;
    const date = Math.floor(Date.now() / 1000) - (opts.expired === 'all' || (opts.expired === 'first' && n === 1) ? ttl + 60 : 0);
    const location = `${origin}/${p.name}@${p.rest}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${date}&X-Amz-Expires=${expires}&X-Amz-Signature=${sign(p.name, p.rest, date, expires)}`;
    ex.entry.status = 307;
    ex.res.writeHead(307, { location, 'content-length': '0' }).end();
    return true;
  };
  return {
    personality, url: origin, requests, redirects,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

// Streams the blob from the registry's storage (the upstream), Range passed through.
async function serve(res: ServerResponse, record: StoreRequest, upstream: URL, repo: string, digest: string, range: string | undefined, opts: ObjectStoreOptions, cutAt: (length: number) => number | undefined): Promise<void> {
  const headers: OutgoingHttpHeaders = {};
  const authorization = await authorizationFor(opts.upstreamAuth, `repository:${repo}:pull`);
  if (authorization) headers.authorization = authorization;
  if (range) headers.range = range;
  const options = { hostname: upstream.hostname, port: upstream.port, method: 'GET', path: `/v2/${repo}/blobs/${digest}`, headers };
  // An https:// upstream (a TLS test registry) is read over TLS, trusting its CA.
  const send = upstream.protocol === 'https:'
    ? (cb: (res: IncomingMessage) => void) => httpsRequest({ ...options, ...(opts.upstreamCa ? { ca: readFileSync(opts.upstreamCa, 'utf8') } : {}) }, cb)
    : (cb: (res: IncomingMessage) => void) => httpRequest(options, cb);
  const up = send((upRes) => {
    record.status = upRes.statusCode ?? 502;
    const out: OutgoingHttpHeaders = { 'content-type': 'application/octet-stream' };
    for (const name of ['content-length', 'content-range', 'accept-ranges', 'etag'] as const) if (upRes.headers[name]) out[name] = upRes.headers[name];
    res.writeHead(record.status, out);
    const cutAfter = cutAt(Number(upRes.headers['content-length'] ?? 0));
    let sent = 0;
    upRes.on('data', (chunk: Buffer) => { sent += chunk.length; record.bytes = Math.min(sent, cutAfter ?? Infinity); });
    if (cutAfter === undefined) return void upRes.pipe(res);
    // A broken download: the first `cutAfter` bytes, then the connection ends mid-body.
    let written = 0;
    upRes.on('data', (chunk: Buffer) => {
      if (written >= cutAfter) return;
      const part = chunk.subarray(0, cutAfter - written);
      written += part.length;
      res.write(part, () => { if (written >= cutAfter) { upRes.destroy(); res.socket?.destroy(); } });
    });
  });
  up.on('error', () => res.destroy());
  up.end();
}
