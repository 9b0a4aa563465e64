// src/registry/blobs.ts fetchBlob: a blob's bytes cut by their HTTP/2 session's graceful end
// (GOAWAY NO_ERROR, as nginx sends after keepalive_requests) resume with Range like any break,
// but are no retry: the normal end of a connection, as for an answer read whole (read-again.ts).
// A reset is still one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { errors } from 'undici';
import { fetchBlob } from '../../../src/registry/blobs.js';
import type { RepoContext } from '../../../src/registry/repo-context.js';
import type { HttpRequest, HttpResponse } from '../../../src/registry/http/types.js';

const bytes = Buffer.from('a layer of twenty-eight bytes');
const desc = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length };
const base = new URL('https://registry.example');

/** A repository whose first GET answers 10 bytes and then fails with `cut`; a Range GET answers the rest. */
function repoCutBy(cut: Error) {
  const stats = { requests: 0, byMethod: {}, retries: 0, tokenFetches: 0 };
  const debug: string[] = [];
  const ranges: string[] = [];
  const send = async (req: HttpRequest): Promise<HttpResponse> => {
    const range = req.headers?.range;
    if (range === undefined) {
      const body = Readable.from((async function* () {
        yield bytes.subarray(0, 10);
        throw cut;
      })(), { objectMode: false });
      return { status: 200, headers: { 'content-length': String(bytes.length) }, body, url: req.url };
    }
    ranges.push(range);
    const from = Number(/^bytes=(\d+)-$/.exec(range)![1]);
    const rest = bytes.subarray(from);
    return { status: 206, headers: { 'content-length': String(rest.length), 'content-range': `bytes ${from}-${bytes.length - 1}/${bytes.length}` }, body: Readable.from([rest]), url: req.url };
  };
  const repo = {
    path: 'app',
    scopes: ['repository:app:pull'],
    url: (path: string) => new URL(`/v2/app/${path}`, base),
    host: { host: base.host, base, send, retry: { maxAttempts: 3, baseMs: 1, maxDelayMs: 1 }, options: { stats, logger: { debug: (line: string) => debug.push(line) } } },
  } as unknown as RepoContext;
  return { repo, stats, debug, ranges };
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('a blob cut by a graceful GOAWAY resumes from its bytes read, and is no retry', async () => {
  const { repo, stats, debug, ranges } = repoCutBy(new errors.SocketError('HTTP/2: "GOAWAY" frame received with code 0'));
  assert.deepEqual(await readAll(await fetchBlob(repo, desc)), bytes);
  assert.deepEqual(ranges, ['bytes=10-']);
  assert.equal(stats.retries, 0);
  assert.match(debug.join('\n'), /GET .*\/blobs\/sha256:[0-9a-f]{64}: its HTTP\/2 connection ended \(GOAWAY NO_ERROR\) after 10 of 29 bytes .*; resuming with Range/);
});

test('a blob cut by a reset (or a GOAWAY with an error code) resumes as before, counted as a retry', async () => {
  for (const cut of [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), new errors.SocketError('HTTP/2: "GOAWAY" frame received with code 2')]) {
    const { repo, stats, debug } = repoCutBy(cut);
    assert.deepEqual(await readAll(await fetchBlob(repo, desc)), bytes);
    assert.equal(stats.retries, 1, cut.message);
    assert.match(debug.join('\n'), /: broke after 10 of 29 bytes/);
  }
});
