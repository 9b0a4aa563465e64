// One request, start to end: who the client is (a keyed hash, never the address), its rate limit,
// the route, the answer, and the event line. Backends' own answers never reach the client as they
// were: their statuses, challenges and headers stay here; only verified bytes or a 307 go out.
// A blob's answer is handle-blob.ts's, a manifest's handle-manifest.ts's.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { renderStatsHtml } from '../report/stats-html.js';
import { serveBinary } from './binaries.js';
import { NoBlob } from './blobs.js';
import { clientFamily } from './client-family.js';
import { clientKey, type Ev } from './events.js';
import type { Gateway } from './gateway.js';
import { namedTypes } from './negotiate.js';
import { route, type Route } from './route.js';
import { clientAddress } from './address.js';
import { deliver, fail, send, unavailable } from './respond.js';
import { blob } from './handle-blob.js';
import { manifest } from './handle-manifest.js';

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
