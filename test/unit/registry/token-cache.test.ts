import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fetchToken, TokenCache } from '../../../src/registry/http/token.js';
import { AuthError } from '../../../src/types/errors.js';
import { chunksOf } from '../../../src/registry/chunks.js';
import { Readable } from 'node:stream';

describe('TokenCache', () => {
  it('shares one fetch between concurrent asks and caches until shortly before expiry', async () => {
    let now = 0;
    let fetches = 0;
    const cache = new TokenCache(() => now);
    const fetch = async () => ({ token: `t${++fetches}`, expiresIn: 60 });
    const [a, b] = await Promise.all([cache.get(['repository:a:pull'], fetch), cache.get(['repository:a:pull'], fetch)]);
    assert.equal(a, 't1');
    assert.equal(b, 't1');
    now = 49_000;
    assert.equal(await cache.get(['repository:a:pull'], fetch), 't1');
    now = 50_001; // 60 s minus the 10 s margin
    assert.equal(await cache.get(['repository:a:pull'], fetch), 't2');
    assert.equal(await cache.get(['repository:a:pull'], fetch, 2), 't3'); // t2, taken at fetch 2, was refused
    assert.equal(await cache.get(['repository:b:pull'], fetch), 't4');
  });

  // Eight requests in flight when their token expired early each came back 401 and each skipped the
  // cache for a token of its own: a burst of fetches at every expiry. The first renews; the rest,
  // refused the same old token, take that renewal.
  it('renews a refused token once for all the requests that were refused it', async () => {
    let fetches = 0;
    const cache = new TokenCache();
    const fetch = async () => ({ token: `t${++fetches}`, expiresIn: 300 });
    assert.equal(await cache.get(['s'], fetch), 't1');
    const takenAt = cache.fetches;
    const renewed = await Promise.all(Array.from({ length: 8 }, () => cache.get(['s'], fetch, takenAt)));
    assert.deepEqual(renewed, Array(8).fill('t2'));
    assert.equal(await cache.get(['s'], fetch, takenAt), 't2', 'a late 401 for t1 takes t2 too');
    assert.equal(await cache.get(['s'], fetch, cache.fetches), 't3', 't2 refused: renewed again');
    assert.equal(fetches, 3);
  });

  it('forgets a failed fetch', async () => {
    const cache = new TokenCache();
    await assert.rejects(cache.get(['s'], async () => Promise.reject(new Error('down'))));
    assert.equal(await cache.get(['s'], async () => ({ token: 'ok', expiresIn: 60 })), 'ok');
  });
});

describe('chunksOf', () => {
  it('re-slices buffers and streams into fixed chunks', async () => {
    const collect = async (src: Buffer | Readable) => {
      const out: number[] = [];
      for await (const c of chunksOf(src, 4)) out.push(c.byteLength);
      return out;
    };
    assert.deepEqual(await collect(Buffer.alloc(10)), [4, 4, 2]);
    assert.deepEqual(await collect(Readable.from([Buffer.alloc(3), Buffer.alloc(7), Buffer.alloc(2)])), [4, 4, 4]);
    assert.deepEqual(await collect(Buffer.alloc(0)), []);
  });
});

describe('fetchToken refusals', () => {
  const refusing = async (req: { url: URL }) => ({ status: 401, headers: {}, body: Readable.from([Buffer.from('{"errors":[]}')]), url: req.url });
  const service = { realm: 'https://auth.test/token', service: 'registry.test' };
  const said = async (credential: Parameters<typeof fetchToken>[4]) => {
    const e = await fetchToken(refusing, 'registry.test', service, ['repository:a/b:pull'], credential).then(() => undefined, (err: Error) => err);
    assert.ok(e instanceof AuthError);
    return e.message;
  };

  it('says what was refused and where to fix it, never the secret', async () => {
    const basic = await said({ username: 'u', password: 'pw-secret-9' });
    assert.equal(basic, 'registry.test: the token service at https://auth.test/token refused the username and password (401): check them (registries.registry.test.credentials, or docker login registry.test)');
    assert.match(await said(undefined), /refused to give an anonymous token \(401\): give credentials \(registries\.registry\.test\.credentials/);
    const identity = await said({ identityToken: 'id-secret-9' });
    assert.match(identity, /refused the identity token \(401\): log in again \(docker login registry\.test\)/);
    assert.doesNotMatch(basic + identity, /secret-9/);
  });

  it('a scope refused to credentials that sign in (a token with no scope) names the access they lack', async () => {
    const asked: string[] = [];
    const scoped = async (req: { url: URL }) => {
      asked.push(req.url.searchParams.getAll('scope').join(' '));
      const refused = req.url.searchParams.has('scope');
      return { status: refused ? 403 : 200, headers: {}, body: Readable.from([Buffer.from(refused ? '{}' : '{"token":"t-secret-9"}')]), url: req.url };
    };
    const grants = { post: false, signsIn: new Map<string, Promise<boolean>>() };
    const ask = () => fetchToken(scoped, 'registry.test', service, ['repository:a/b:pull,push'], { username: 'u', password: 'pw-secret-9', from: "mirrors.yaml's registries.registry.test.credentials" }, undefined, grants).then(() => '', (err: Error) => err.message);
    assert.equal(await ask(), "registry.test: the token service at https://auth.test/token refused a token for pushing to registry.test/a/b (403), though the same username and password sign in there: they lack that access; grant it to them, or use credentials that have it (mirrors.yaml's registries.registry.test.credentials)");
    await ask();
    assert.deepEqual(asked, ['repository:a/b:pull,push', '', 'repository:a/b:pull,push'], 'signing in is asked once');
  });

  it('asks whether each login signs in on its own: two namespaces\' robots on one host, one with a wrong password', async () => {
    // Every scope refused (403); a token with no scope given to cm-bot alone, whose password is right.
    const scoped = async (req: { url: URL; headers?: Record<string, string> }) => {
      const user = Buffer.from((req.headers?.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8').split(':')[0];
      const refused = req.url.searchParams.has('scope') || user !== 'cm-bot';
      return { status: refused ? 403 : 200, headers: {}, body: Readable.from([Buffer.from(refused ? '{}' : '{"token":"t-secret-9"}')]), url: req.url };
    };
    const grants = { post: false, signsIn: new Map<string, Promise<boolean>>() };
    const ask = (username: string, ns: string) => fetchToken(scoped, 'registry.test', service, [`repository:${ns}/app:pull,push`], { username, password: 'pw-secret-9', from: `/run/auth.json (auths["registry.test/${ns}"])` }, undefined, grants).then(() => '', (err: Error) => err.message);
    assert.match(await ask('jet-bot', 'jetstack'), /refused the username and password \(403\): check them in \/run\/auth\.json \(auths\["registry\.test\/jetstack"\]\)/);
    assert.match(await ask('cm-bot', 'cert-manager'), /refused a token for pushing to registry\.test\/cert-manager\/app \(403\), though the same username and password sign in there: .*\(\/run\/auth\.json \(auths\["registry\.test\/cert-manager"\]\)\)$/);
  });
});
