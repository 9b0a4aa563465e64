// More than one request at a time on a connection of a host's `any` pool (pool.ts), where its small
// requests go (manifests, HEADs, tag lists, upload starts, mounts, tokens):
//  - HTTP/2: undici 7 runs one stream at a time on a session unless its Client's `pipelining` says
//    more (nodejs/undici#4143, fixed in undici 8, which needs Node 22): each request in flight took
//    a TLS connection of its own, 24 of them to a registry, and HTTP/2 multiplexed nothing.
//  - HTTP/1.1: pipelined, a few deep: a request goes out while the one before it is still on its
//    way back, so a registry 20 ms away answers twice as many on the same connections. Blob
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

/** The pipelining of a connection that agreed on `alpn` (undefined: plain http). */
export function pipeliningFor(alpn: string | false | null | undefined): number {
  return alpn === 'h2' ? H2_STREAMS : H1_PIPELINING;
}

/**
 * A Pool `factory` whose Clients pipeline (pipeliningFor) once their connection is made: HTTP/1.1
 * until then, so a burst before the first TLS handshake spreads over connections as before.
 */
export function pipeliningClients(origin: string | URL, opts: object): Dispatcher {
  const options = opts as Client.Options & { connect: buildConnector.connector };
  const connect = options.connect;
  const client: Client = new Client(origin, {
    ...options,
    pipelining: 1,
    connect: (o, callback) => connect(o, (err, socket) => {
      if (!err && socket) client.pipelining = pipeliningFor((socket as Partial<TLSSocket>).alpnProtocol);
      if (err) callback(err, null);
      else callback(null, socket!);
    }),
  });
  return client;
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
 * Flags for a small request that may be sent again (no body, or bytes in memory) and is no
 * listing: undici pipelines nothing that is not idempotent, and nothing behind a request still
 * waiting for its head (its `blocking` default for all but HEAD, kept for listings). A HEAD the
 * host's connections close after (send.ts: a middlebox sent a body after one) has nothing
 * pipelined behind it: undici sends nothing more on a connection that is to close.
 */
export function pipelines(small: boolean, replayable: boolean, url: URL): PipelineFlags {
  if (!small || !replayable) return {};
  return isListing(url) ? { blocking: true } : { idempotent: true, blocking: false };
}
