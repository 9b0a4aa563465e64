// One request, start to end: who the client is (a keyed hash, never the address), its rate limit,
// the route, the answer, and the event line. Backends' own answers never reach the client as they
// were: their statuses, challenges and headers stay here; only verified bytes or a 307 go out.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { isIndexType } from '../types/mediatype.js';
import { renderStatsHtml } from '../report/stats-html.js';
import { serveBinary } from './binaries.js';
import { joinShared, serveBlob, NoBlob, provableFirst, readProven, sharing, type BlobAnswer } from './blobs.js';
import { clientFamily } from './client-family.js';
import { clientKey, type GatewayEvent } from './events.js';
import type { Backend } from './backends.js';
import type { Gateway } from './gateway.js';
import { NoManifest, serveManifest, Unpublished } from './manifests.js';
import { namedTypes, negotiate } from './negotiate.js';
import { blobHead } from './range.js';
import { route, type Route } from './route.js';
import { clientAddress } from './address.js';
import { deliver, deny, fail, send, unavailable } from './respond.js';
import { recordedTag } from './record.js';

type Ev = Omit<GatewayEvent, 'time' | 'method' | 'client' | 'durationMs'>;

// Probes and scrapes are never rate limited: a node whose containerd pulled a release through the
// gateway shares its address with the kubelet probing it, and /-/healthz answered 429 to the probe
// (gateway5 hunt: pulls in a loop and a probe every second from one address), which restarts a
// healthy gateway mid-release. They cost no backend request.
const OPERATOR_PAGES = new Set<Route['kind']>(['healthz', 'ready', 'metrics']);

/** Answers `req` and records its event. */
export async function handle(gw: Gateway, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const method = req.method ?? 'GET';
  const ua = req.headers['user-agent'] ?? '';
  const address = clientAddress(req);
  const key = clientKey(address, ua, gw.clientSecret);
  // The rate limit's bucket is the address's: a User-Agent is the client's to choose (a new one per request escaped it).
  const bucket = clientKey(address, '', gw.clientSecret);
  let ev: Ev = { image: '', tag: '', digest: '', mediaType: '', kind: 'other', backend: '', status: 0 };
  // Shutting down: each answer closes its connection, so the client's next request opens one the
  // load balancer sends to another replica (envoy's and nginx's drain say Connection: close too).
  if (gw.draining) res.setHeader('connection', 'close');
  const r = route(method, req.url ?? '/');
  try {
    if (gw.rate && !OPERATOR_PAGES.has(r.kind) && !gw.rate.take(bucket, gw.now())) {
      ev.status = fail(res, 429, 'TOOMANYREQUESTS', 'too many requests from this client; slow down', { 'retry-after': String(gw.rate.retryAfter(bucket)) });
    } else if (Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding']) {
      ev.status = fail(res, 413, 'SIZE_INVALID', 'this gateway is read-only: requests carry no body');
    } else {
      ev = await answer(gw, r, method, key, res, ev, req.headers);
    }
  } catch (e) {
    gw.log?.(`error: ${method} ${(req.url ?? '').split('?')[0]}: ${e instanceof Error ? e.message : String(e)}`);
    if (!res.headersSent) ev.status = fail(res, 500, 'UNKNOWN', 'internal error');
    else res.destroy();
  }
  // Cut off at the end of the shutdown's grace period, a download said 502 (or 499) with its
  // backend's name, and `report stats` counted that against a healthy backend.
  if (gw.cuttingOff && ev.status >= 499) ev = { ...ev, status: SHUTDOWN_CUT, cutOff: 'shutdown' };
  gw.record({ time: new Date(gw.now()).toISOString(), method, client: clientFamily(ua), durationMs: Math.round((performance.now() - started) * 10) / 10, ...ev });
}

/** What the event of a request the shutdown cut off says: the gateway was going away. */
const SHUTDOWN_CUT = 503;

async function answer(gw: Gateway, r: Route, method: string, key: string, res: ServerResponse, ev: Ev, headers: IncomingHttpHeaders): Promise<Ev> {
  const head = method === 'HEAD';
  switch (r.kind) {
    case 'method-not-allowed':
      return { ...ev, status: fail(res, 405, 'UNSUPPORTED', 'read-only gateway: only GET and HEAD', { allow: 'GET, HEAD' }) };
    case 'not-found':
      return { ...ev, status: fail(res, 404, 'NAME_UNKNOWN', 'not served here') };
    case 'base':
      return { ...ev, status: send(res, 200, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' }, head ? undefined : '{}') };
    case 'healthz':
      return { ...ev, status: send(res, 200, { 'content-type': 'text/plain' }, head ? undefined : 'ok\n') };
    case 'ready': {
      const ready = !gw.draining && gw.probed && gw.health().some((b) => b.healthy);
      const why = gw.draining ? 'not ready: shutting down\n' : 'not ready: backends not probed or none healthy\n';
      return { ...ev, status: send(res, ready ? 200 : 503, { 'content-type': 'text/plain' }, head ? undefined : ready ? 'ready\n' : why) };
    }
    case 'metrics': {
      const text = await gw.metrics.registry.metrics();
      return { ...ev, status: send(res, 200, { 'content-type': gw.metrics.registry.contentType }, head ? undefined : text) };
    }
    case 'stats':
      return { ...ev, status: send(res, 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, head ? undefined : renderStatsHtml(gw.stats())) };
    case 'tags': {
      const image = gw.settings.images.find((i) => i.path === r.name);
      if (!image) return { ...ev, status: fail(res, 404, 'NAME_UNKNOWN', `repository ${r.name} is not served here`) };
      // Tag lists (skopeo inspect, regmirror sync) come from the first backend that answers.
      const listed = await gw.pool.first(gw.pool.backends(image.backends), (b, signal) => b.repo.listTags({ signal }));
      if (!listed.ok) return { ...ev, image: r.name, status: unavailable(res) };
      const body = JSON.stringify({ name: r.name, tags: listed.value });
      return { ...ev, image: r.name, backend: listed.backend.host, status: send(res, 200, { 'content-type': 'application/json' }, head ? undefined : body) };
    }
    case 'manifest':
      return manifest(gw, r.name, r.reference, method, key, res, ev, namedTypes(headers.accept));
    case 'blob':
      return blob(gw, r.name, r.digest, head, res, ev, headers.range);
    case 'binary': {
      const binary = gw.settings.binaries.find((b) => b.item.name === r.name);
      const base = { ...ev, image: r.name, tag: r.tag, kind: 'binary' as const };
      if (!binary) return { ...base, status: fail(res, 404, 'NAME_UNKNOWN', `binary ${r.name} is not served here`) };
      try {
        const a = await serveBinary(gw.pool, binary, r.tag, r.file, gw.anonymous);
        return { ...base, backend: a.backend, status: await deliver(res, a, undefined, head) };
      } catch (e) {
        if (!(e instanceof NoBlob)) throw e;
        return { ...base, status: e.status === 404 ? fail(res, 404, 'NOT_FOUND', `${r.name} ${r.tag} has no file ${r.file}`) : unavailable(res) };
      }
    }
  }
}

async function blob(gw: Gateway, name: string, digest: string, head: boolean, res: ServerResponse, ev: Ev, range?: string): Promise<Ev> {
  const image = gw.settings.images.find((i) => i.path === name);
  if (!image) return { ...ev, status: fail(res, 404, 'NAME_UNKNOWN', `repository ${name} is not served here`) };
  const base = { ...ev, image: name, digest, kind: 'blob' as const };
  const backends = gw.pool.backends(image.backends);
  const skip = (b: Backend) => gw.wrongBytes.has(b.host, digest, gw.now());
  // Clients asking for a large streamed blob at once share one backend read (a Range too: the whole blob is read for it).
  const key = `${name} ${digest}`;
  // The first client asks the backends; those that arrive meanwhile wait for its answer, to join its read.
  const entered = head ? undefined : await joinShared(gw.sharedReads, key, gw.pool, backends, digest, skip);
  const [joined, opening] = entered && 'done' in entered ? [undefined, entered] : [entered, undefined];
  let a: BlobAnswer;
  try {
    const first = joined ?? await firstAnswer(gw, backends, digest, skip, head, range, res, base);
    if ('status' in first) return first;
    a = joined || head ? first : sharing(gw.sharedReads, key, first, gw.pool, backends, digest, skip);
  } finally {
    opening?.done();
  }
  if (a.kind === 'redirect' && a.from && !head) gw.proofs.check(a.from, digest);
  const status = await deliver(res, a, digest, head, (actual) => {
    // Bytes from two backends (a stream carried on after a break): which one was wrong is unknown.
    const senders = a.kind === 'stream' ? a.senders?.() ?? [] : [];
    if (senders.length === 1) gw.servedWrong(senders[0]!, digest, actual);
  }, range);
  return { ...base, backend: a.backend, status };
}

/**
 * Where the blob is, from the first backend that has it (a redirect, or a stream); or the event of
 * an answer already given. A small streamed blob is proven before it goes out; wrong bytes send
 * the request on to the next backend.
 */
async function firstAnswer(gw: Gateway, backends: Backend[], digest: string, skip: (b: Backend) => boolean, head: boolean, range: string | undefined, res: ServerResponse, base: Ev): Promise<BlobAnswer | Ev> {
  for (let tries = 0; ; tries++) {
    let a: BlobAnswer;
    try {
      a = await serveBlob(gw.pool, backends, digest, gw.anonymous, skip, head);
    } catch (e) {
      if (!(e instanceof NoBlob)) throw e;
      return { ...base, status: e.status === 404 ? fail(res, 404, 'BLOB_UNKNOWN', 'blob unknown to every backend') : unavailable(res) };
    }
    const length = head ? undefined : provableFirst(a);
    if (length === undefined || a.kind !== 'stream') return a;
    const proven = await readProven(a.response, digest, length);
    if ('bytes' in proven) {
      const { status, headers, from, to } = blobHead(digest, proven.bytes.length, range);
      return { ...base, backend: a.backend, status: send(res, status, headers, status === 416 ? undefined : proven.bytes.subarray(from ?? 0, (to ?? proven.bytes.length - 1) + 1)) };
    }
    const senders = a.senders?.() ?? [];
    if ('wrong' in proven && senders.length === 1) gw.servedWrong(senders[0]!, digest, proven.wrong);
    if (tries + 1 >= backends.length) return { ...base, backend: a.backend, status: unavailable(res) };
  }
}

async function manifest(gw: Gateway, name: string, reference: string, method: string, key: string, res: ServerResponse, ev: Ev, accepts?: Set<string>): Promise<Ev> {
  const image = gw.settings.images.find((i) => i.path === name);
  if (!image) return { ...ev, status: fail(res, 404, 'NAME_UNKNOWN', `repository ${name} is not served here`) };
  const byTag = !reference.startsWith('sha256:') && !reference.startsWith('sha512:');
  const base: Ev = { ...ev, image: name, tag: byTag ? reference : '', kind: 'check' };
  let a;
  try {
    a = await serveManifest(gw.manifestDeps(), image, reference);
    // What this client can read (its Accept), decided as distribution does, once the tag's digest is proven.
    const offer = negotiate(accepts, a.manifest, byTag);
    if ('refuse' in offer) return { ...base, digest: a.manifest.digest, mediaType: a.manifest.mediaType, backend: a.backend, status: fail(res, 404, 'MANIFEST_UNKNOWN', offer.refuse) };
    if ('platform' in offer) a = await serveManifest(gw.manifestDeps(), image, offer.platform);
  } catch (e) {
    if (!(e instanceof NoManifest)) throw e;
    // A tag every backend holds at another digest than the record is refused, not unknown (403).
    if (e.drift) {
      gw.driftedEverywhere(name, reference, e.drift);
      return { ...base, status: deny(res, `${name}:${reference} is not served: every backend that has it holds another digest than the recorded ${e.drift.expected}`) };
    }
    // The backends are not asked for a tag the source says does not exist: "unknown to every
    // backend" would be untrue where a mirror has it.
    const why = e instanceof Unpublished ? 'is not published: the source has no such tag, and none is recorded' : 'is unknown to every backend';
    return { ...base, status: e.status === 404 ? fail(res, 404, 'MANIFEST_UNKNOWN', `${name}:${reference} ${why}`) : unavailable(res) };
  }
  const m = a.manifest;
  // A release pinned by digest is attributed to the tag the record names that digest under.
  const tag = byTag ? reference : recordedTag(gw.lock, image.item.sourceText, m.digest);
  const who = gw.attributor.attribute({ client: key, method, image: name, ...(tag ? { tag } : {}), digest: m.digest, isIndex: isIndexType(m.mediaType), ...(a.children ? { children: a.children } : {}) }, gw.now());
  const status = send(res, 200, {
    'content-type': m.mediaType, 'docker-content-digest': m.digest, etag: `"${m.digest}"`, 'content-length': String(m.bytes.byteLength),
    'docker-distribution-api-version': 'registry/2.0',
  }, method === 'HEAD' ? undefined : m.bytes);
  return {
    ...base, tag: who.tag, digest: m.digest, mediaType: m.mediaType, kind: who.kind, backend: a.backend, status,
    ...(who.repeat ? { repeat: true } : {}), ...(a.cache ? { cache: a.cache } : {}),
  };
}
