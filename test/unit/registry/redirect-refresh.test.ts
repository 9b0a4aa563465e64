// The redirect layer and object storage: a HEAD is never sent there, credentials never follow,
// and an expired presigned URL costs one more GET to the registry for a fresh one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withRedirects } from '../../../src/registry/http/redirect.js';
import { emptyBody } from '../../../src/registry/http/answer-body.js';
import type { HttpRequest, HttpResponse } from '../../../src/registry/http/types.js';

const BLOB = 'https://registry.example/v2/a/blobs/sha256:abc';

/** A scripted transport: the registry hands out store URLs in turn; the store answers `store(url)`. */
function scripted(store: (url: URL) => number) {
  const seen: { method: string; url: string; authorization?: string }[] = [];
  let issued = 0;
  const next = async (req: HttpRequest): Promise<HttpResponse> => {
    seen.push({ method: req.method, url: req.url.href, authorization: req.headers?.authorization });
    if (req.url.origin === 'https://registry.example') {
      issued++;
      return { status: 307, headers: { location: `https://store.example/blob?sig=${issued}` }, body: emptyBody(), url: req.url };
    }
    return { status: store(req.url), headers: {}, body: emptyBody(), url: req.url };
  };
  return { send: withRedirects(next), seen };
}

describe('redirects to object storage', () => {
  const req = (method: string): HttpRequest => ({ method, url: new URL(BLOB), scopes: [], headers: { authorization: 'Bearer secret' } });

  it('asks the registry once more when the presigned URL has expired, then uses the new URL', async () => {
    const { send, seen } = scripted((url) => (url.searchParams.get('sig') === '1' ? 403 : 200));
    const res = await send(req('GET'));
    assert.equal(res.status, 200);
    assert.deepEqual(seen.map((s) => s.url), [BLOB, 'https://store.example/blob?sig=1', BLOB, 'https://store.example/blob?sig=2']);
    assert.deepEqual(seen.filter((s) => s.url.startsWith('https://store')).map((s) => s.authorization), [undefined, undefined]);
  });

  it('asks only once: a store that keeps refusing is answered as it is', async () => {
    const { send, seen } = scripted(() => 400);
    assert.equal((await send(req('GET'))).status, 400);
    assert.equal(seen.length, 4);
  });

  it('never sends a HEAD to another origin: the redirect is the answer', async () => {
    const { send, seen } = scripted(() => 403);
    const res = await send(req('HEAD'));
    assert.equal(res.status, 307);
    assert.deepEqual(seen.map((s) => s.url), [BLOB]);
  });
});
