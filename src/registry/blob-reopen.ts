// The rest of a blob whose read broke, from byte `offset` on: asked with Range, for both readers
// that carry a broken stream on (the copy's reads, blobs.ts; the gateway's streams carried on from
// another backend, blob-access.ts). A range refused (416) or answered from elsewhere than asked
// (no Content-Range, one that starts past the offset, or one its own Content-Length or the blob's
// size belies: rangeAnswerStart) is a server whose Range support is broken: read again from the
// start, as from one that ignores Range (200), its first bytes skipped by the resumable stream.
// Taken at its word, such an answer was spliced in at the wrong offset (the gateway's clients got
// a layer short or long of its size: skopeo's "unexpected EOF").
import { rangeAnswerStart, type Reopened } from './blob-resume.js';
import { discard } from './http/body.js';
import { expectStatus } from './http/errors.js';
import { contentLength, header, type HttpResponse } from './http/types.js';

/**
 * `get(range)`: the blob's GET, with that Range header when given; `size`: the blob's; `say`: told
 * (for -v) when the server did not honour the range.
 */
export async function reopenAt(get: (range?: string) => Promise<HttpResponse>, offset: number, size: number, say: (what: string) => void): Promise<Reopened> {
  let again = await get(`bytes=${offset}-`);
  const start = again.status === 206 ? rangeAnswerStart(header(again, 'content-range'), contentLength(again), size) : undefined;
  if (again.status === 416 || (again.status === 206 && (start === undefined || start > offset))) {
    discard(again.body, header(again, 'content-length'));
    const said = again.status === 206 ? `, Content-Range ${header(again, 'content-range') ?? 'missing'}, Content-Length ${header(again, 'content-length') ?? 'none'}` : '';
    say(`Range not honoured (${again.status}${said}); reading again from the start`);
    again = await expectStatus('GET', await get(), 200);
    return { body: again.body, start: 0, length: contentLength(again) };
  }
  await expectStatus('GET', again, 200, 206);
  if (again.status === 200) say('Range ignored (200); reading again from the start');
  return { body: again.body, start: start ?? 0, length: contentLength(again) };
}
