// More than one request at a time on a connection of a host's `any` pool (pool.ts), where its small
// requests go (manifests, HEADs, tag lists, upload starts, mounts, tokens):
//  - HTTP/2: undici 7 runs one stream at a time on a session unless its Client's `pipelining` says
//    more (nodejs/undici#4143, fixed in undici 8, which needs Node 22): each request in flight took
//    a TLS connection of its own, 24 of them to a registry, and HTTP/2 multiplexed nothing.
//  - HTTP/1.1: pipelined, a few deep: a request goes out while the one before it is still on its
//    way back, so more of a distant registry's requests are under way at once (the host's slots,
//    limiter.ts, not its connections, bound them; bench/README.md, thirty-eighth round). Blob
//    transfers never share these connections (send.ts: the `bulky` pool, one request at a time), so
//    nothing small waits behind a layer's bytes; and only requests that may be sent again are
//    pipelined (`pipelines`): a connection that breaks under several has undici send the others again.
// The pipelining of a TLS connection follows what ALPN settled on, known once it is made: undici's
// Client.pipelining is public and may change at any time.
import type { TLSSocket } from 'node:tls';
import { Client, type buildConnector, type Dispatcher } from 'undici';

/** Requests in flight on one HTTP/1.1 connection of the `any` pool. */
export const H1_PIPELINING = 4;

/**
 * Streams in flight on one HTTP/2 session: undici's own maxConcurrentStreams default, past what a
 * host's request slots (limiter.ts) ever hand out; a registry that allows fewer has nghttp2 queue the rest.
 */
export const H2_STREAMS = 100;

/**
 * How many requests a connection that agreed on `alpn` (undefined: plain http) carries at once:
 * HTTP/2 streams; over HTTP/1.1, `h1` (`pipelining: false`: 1) once its Pool has made all its
 * `connections` (pipeliningClients), one before.
 */
export function pipeliningFor(alpn: string | false | null | undefined, made: number, connections: number, h1 = H1_PIPELINING): number {
  return alpn === 'h2' ? H2_STREAMS : made >= connections ? h1 : 1;
}

/** Whether an origin's last connection agreed on HTTP/2 (kept by routedFactory across its Pools: proxy.ts). */
export interface Spoken {
  h2: boolean;
}

/**
 * The connections a new Pool for an origin may open: one where it asks for HTTP/2 and the origin's
 * last connection spoke it, since one session carries every request (H2_STREAMS); else
 * `connections`. undici's Pool opens a connection for each request that arrives while its Clients
 * are still connecting, and once connected, hands requests to the first with room: the others
 * carried that one request each. A GOAWAY renews the whole pool (pool.ts), so after each one
 * (nginx's keepalive_requests) up to `connections` were opened again, most for one request:
 * personalities/nginx-goaway counted 45 of 67 connections carrying one.
 */
export function poolConnections(connections: number | null | undefined, allowH2: boolean, spoken: Spoken): number | null | undefined {
  return allowH2 && spoken.h2 ? 1 : connections;
}

/**
 * A `factory` for one Pool of `connections` Clients, which multiplex once their connection agreed
 * on HTTP/2. Over HTTP/1.1 they pipeline only once the Pool has all its connections: undici's Pool
 * hands a request to its first Client with room, so with room for 4 on each, a few requests went
 * one behind another on one connection while others could be opened, and waited for the answers
 * ahead of them (publish/publish-progress: a manifest PUT held 3 s held the other artifact's).
 * A Pool keeps its Clients, so once full it stays full: from then on a burst is what it meets.
 */
export function pipeliningClients(h1 = H1_PIPELINING, connections = Infinity, spoken: Spoken = { h2: false }): (origin: string | URL, opts: object) => Dispatcher {
  let made = 0;
  const overHttp1 = new Set<Client>();
  return (origin, opts) => {
    const options = opts as Client.Options & { connect: buildConnector.connector };
    const connect = options.connect;
    const client: Client = new Client(origin, {
      ...options,
      pipelining: 1,
      connect: (o, callback) => connect(o, (err, socket) => {
        if (!err && socket) {
          const alpn = (socket as Partial<TLSSocket>).alpnProtocol;
          spoken.h2 = alpn === 'h2';
          if (alpn !== 'h2') overHttp1.add(client);
          client.pipelining = pipeliningFor(alpn, made, connections, h1);
        }
        if (err) callback(err, null);
        else callback(null, socket!);
      }),
    });
    if (++made >= connections) for (const other of overHttp1) other.pipelining = pipeliningFor('http/1.1', made, connections, h1);
    return client;
  };
}

/** What a request may be: pipelined behind others (and sent again by undici if the connection breaks under it). */
export interface PipelineFlags {
  idempotent?: boolean;
  blocking?: boolean;
}

/**
 * A listing: a tag list page, the catalog, the referrers API. Registries build these as they are
 * asked, and a large repository's pages can take seconds (quay.io's paging), so nothing is
 * pipelined behind one: requests behind it would wait for its answer.
 */
export function isListing(url: URL): boolean {
  return /\/(tags\/list|_catalog|referrers\/)/.test(url.pathname);
}

/**
 * An upload's session start (a POST without `mount`): sent twice, it opens two sessions. undici
 * sends a pipelined request again by itself when the connection breaks under one ahead of it, an
 * attempt the retries never count (a proxy resetting every session start saw 16 POSTs for the 15
 * that maxAttempts 5 allows three blobs: personalities/upload-start).
 */
export function isSessionStart(method: string, url: URL): boolean {
  // The query read as text: url.searchParams parses it into an object on every mount.
  return method === 'POST' && url.pathname.endsWith('/blobs/uploads/') && !MOUNT_PARAM.test(url.search);
}

const MOUNT_PARAM = /[?&]mount(?:[=&]|$)/;

/**
 * Flags for a small request that may be sent again (no body, or bytes in memory), is no listing
 * and no session start: undici pipelines nothing that is not idempotent, and nothing behind a
 * request still waiting for its head (its `blocking` default for all but HEAD, kept for listings).
 * A mount is pipelined: asked twice, it mounts once. A HEAD the host's connections close after
 * (send.ts: a middlebox sent a body after one) has nothing pipelined behind it: undici sends
 * nothing more on a connection that is to close.
 */
export function pipelines(small: boolean, replayable: boolean, method: string, url: URL): PipelineFlags {
  if (!small || !replayable || isSessionStart(method, url)) return {};
  return isListing(url) ? { blocking: true } : { idempotent: true, blocking: false };
}
