// The auth layer over a scripted registry (a `next` that answers like distribution would): which
// requests go out, in what order, and with what credentials. No network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Authenticator } from '../../../src/registry/http/auth.js';
import { TokenCache } from '../../../src/registry/http/token.js';
import type { Credential } from '../../../src/registry/credentials.js';
import type { HttpRequest, HttpResponse } from '../../../src/registry/http/types.js';

const BASE = new URL('https://registry.test');
const REALM = 'https://registry.test/token';

interface Registry {
  /** Every request the registry (or its token service) saw: method, path, authorization. */
  seen: [string, string, string | undefined][];
  layer: (req: HttpRequest) => Promise<HttpResponse>;
}

function answer(url: URL, status: number, headers: Record<string, string> = {}, body = ''): HttpResponse {
  return { status, headers, body: Readable.from([Buffer.from(body)]), url };
}

/** A registry that wants a bearer token (`tokened`), Basic credentials, nothing at all, or Basic at /v2/ and a token for its repositories (`mixed`). */
function registry(kind: 'tokened' | 'basic' | 'open' | 'mixed', credential?: Credential): Registry {
  const seen: Registry['seen'] = [];
  const auth = new Authenticator({
    host: 'registry.test',
    base: BASE,
    credentials: async () => credential,
    tokens: new TokenCache(),
    onTokenFetch: () => {},
    onRealm: () => {},
  });
  const next = async (req: HttpRequest): Promise<HttpResponse> => {
    const authorization = req.headers?.authorization;
    seen.push([req.method, req.url.pathname, authorization]);
    if (req.url.href.startsWith(REALM)) return answer(req.url, 200, { 'content-type': 'application/json' }, JSON.stringify({ token: 'T', expires_in: 300 }));
    const bearer = kind === 'tokened' || (kind === 'mixed' && req.url.pathname !== '/v2/');
    const challenge = bearer ? `Bearer realm="${REALM}",service="registry.test"` : 'Basic realm="test"';
    const allowed = kind === 'open' || (bearer ? authorization === 'Bearer T' : authorization?.startsWith('Basic ') === true);
    return allowed ? answer(req.url, 200, {}, '{}') : answer(req.url, 401, { 'www-authenticate': challenge });
  };
  return { seen, layer: auth.layer(next) };
}

const get = (path: string): HttpRequest => ({ method: 'GET', url: new URL(path, BASE), scopes: ['repository:a/b:pull'] });

test('without credentials, a registry that asks for nothing is never pinged', async () => {
  const r = registry('open');
  const res = await Promise.all([r.layer(get('/v2/a/b/tags/list')), r.layer(get('/v2/a/c/tags/list'))]);
  assert.deepEqual(res.map((x) => x.status), [200, 200]);
  assert.deepEqual(r.seen, [['GET', '/v2/a/b/tags/list', undefined], ['GET', '/v2/a/c/tags/list', undefined]]);
});

test('without credentials, the lookup is asked once, not per request, and a later 401 is still the challenge', async () => {
  let lookups = 0;
  const seen: [string, string | undefined][] = [];
  const auth = new Authenticator({
    host: 'registry.test',
    base: BASE,
    credentials: async () => void lookups++,
    tokens: new TokenCache(),
    onTokenFetch: () => {},
    onRealm: () => {},
  });
  const layer = auth.layer(async (req) => {
    seen.push([req.url.pathname, req.headers?.authorization]);
    if (req.url.href.startsWith(REALM)) return answer(req.url, 200, {}, JSON.stringify({ token: 'T', expires_in: 300 }));
    const open = !req.url.pathname.startsWith('/v2/a/private/') || req.headers?.authorization === 'Bearer T';
    return open ? answer(req.url, 200, {}, '{}') : answer(req.url, 401, { 'www-authenticate': `Bearer realm="${REALM}",service="registry.test"` });
  });
  for (const path of ['/v2/a/b/tags/list', '/v2/a/c/tags/list', '/v2/a/d/tags/list']) assert.equal((await layer(get(path))).status, 200);
  assert.equal(lookups, 1, 'the host has no credentials: found once');
  assert.equal((await layer(get('/v2/a/private/tags/list'))).status, 200);
  assert.deepEqual(seen.slice(3), [['/v2/a/private/tags/list', undefined], ['/token', undefined], ['/v2/a/private/tags/list', 'Bearer T']]);
});

test('without credentials, the first 401 is the challenge: an anonymous token, then the request again', async () => {
  const r = registry('tokened');
  assert.equal((await r.layer(get('/v2/a/b/tags/list'))).status, 200);
  assert.deepEqual(r.seen, [
    ['GET', '/v2/a/b/tags/list', undefined],
    ['GET', '/token', undefined],
    ['GET', '/v2/a/b/tags/list', 'Bearer T'],
  ]);
  r.seen.length = 0;
  assert.equal((await r.layer(get('/v2/a/b/manifests/v1'))).status, 200);
  assert.deepEqual(r.seen, [['GET', '/v2/a/b/manifests/v1', 'Bearer T']], 'learned once: the next request carries the token');
});

test('with credentials, GET /v2/ asks first and no request goes out without them', async () => {
  const r = registry('basic', { username: 'u', password: 'p' });
  assert.equal((await r.layer(get('/v2/a/b/tags/list'))).status, 200);
  assert.deepEqual(r.seen.map(([method, path, authorization]) => [method, path, authorization?.split(' ')[0]]), [
    ['GET', '/v2/', undefined],
    ['GET', '/v2/a/b/tags/list', 'Basic'],
  ]);
});

test('a stream body is never the request that learns the challenge: GET /v2/ asks first', async () => {
  const r = registry('tokened');
  const put: HttpRequest = { method: 'PUT', url: new URL('/v2/a/b/blobs/uploads/x?digest=sha256:0', BASE), scopes: ['repository:a/b:pull,push'], body: Readable.from([Buffer.from('x')]) };
  assert.equal((await r.layer(put)).status, 200);
  assert.deepEqual(r.seen.map(([method, path]) => `${method} ${path}`), ['GET /v2/', 'GET /token', 'PUT /v2/a/b/blobs/uploads/x']);
});

test('Basic at /v2/ but a token for repositories: the first repository 401 sets the host to Bearer, one token fetch', async () => {
  const r = registry('mixed', { username: 'u', password: 'p' });
  assert.equal((await r.layer(get('/v2/a/b/tags/list'))).status, 200);
  assert.equal((await r.layer(get('/v2/a/b/manifests/v1'))).status, 200);
  const put: HttpRequest = { method: 'PUT', url: new URL('/v2/a/b/blobs/uploads/x?digest=sha256:0', BASE), scopes: ['repository:a/b:pull'], body: Readable.from([Buffer.from('x')]) };
  assert.equal((await r.layer(put)).status, 200, 'a stream body, which cannot be replayed, goes with the token at once');
  assert.deepEqual(r.seen.map(([method, path, authorization]) => [method, path, authorization?.split(' ')[0]]), [
    ['GET', '/v2/', undefined],
    ['GET', '/v2/a/b/tags/list', 'Basic'],
    ['GET', '/token', 'Basic'],
    ['GET', '/v2/a/b/tags/list', 'Bearer'],
    ['GET', '/v2/a/b/manifests/v1', 'Bearer'],
    ['PUT', '/v2/a/b/blobs/uploads/x', 'Bearer'],
  ]);
});
