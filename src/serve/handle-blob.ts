// A blob request: the first backend that has it, a read shared by the clients asking at once, a
// small blob proven before it goes out. Apart from the route's other answers (handler.ts), as the
// one that reads bytes through the gateway and learns which backend sent wrong ones.
import type { ServerResponse } from 'node:http';
import { joinShared, serveBlob, NoBlob, provableFirst, readProven, sharing, type BlobAnswer } from './blobs.js';
import type { Ev } from './events.js';
import type { Backend } from './backends.js';
import type { Gateway } from './gateway.js';
import { blobHead } from './range.js';
import { deliver, fail, send, unavailable } from './respond.js';

export async function blob(gw: Gateway, name: string, digest: string, head: boolean, res: ServerResponse, ev: Ev, range?: string): Promise<Ev> {
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
