// Each fault the proxy offers really happens, as a plain fetch client sees it. The first group is
// deliberately plain HTTP end to end (raw node:http requests; proof that plain loopback works).
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { pushBlob, pseudoRandomBytes, seedImage, type SeededImage } from '../../harness/seed.js';

const REPO = 'proxy/app';

describe('fault proxy in front of a plain registry', () => {
  let reg: RunningRegistry;
  let proxy: FaultProxy;
  let image: SeededImage;
  let blob: string;
  const bigBlob = pseudoRandomBytes('fault-proxy-blob', 256 * 1024);
  before(async () => {
    reg = await startRegistry();
    [image] = await seedImage({ url: reg.url }, { repository: REPO, tags: ['v1'], format: 'oci', platforms: 2 }) as [SeededImage];
    blob = await pushBlob({ url: reg.url }, REPO, bigBlob);
    proxy = await startFaultProxy(reg.url);
  });
  afterEach(() => { proxy.clear(); proxy.resetStats(); });
  after(async () => {
    await proxy.close();
    await destroyRegistry(reg);
  });
  const blobUrl = () => `${proxy.url}/v2/${REPO}/blobs/${blob}`;

  it('forwards untouched requests and logs them', async () => {
    const res = await fetch(blobUrl());
    assert.equal(res.status, 200);
    assert.equal(sha256(Buffer.from(await res.arrayBuffer())), blob);
    const tags = await fetch(`${proxy.url}/v2/${REPO}/tags/list`);
    assert.deepEqual((await tags.json() as { tags: string[] }).tags, ['v1']);
    assert.deepEqual(proxy.stats.log.map((e) => [e.method, e.status]), [['GET', 200], ['GET', 200]]);
    assert.equal(proxy.stats.requests, 2);
  });

  it('status: 503, then passes the next request through', async () => {
    proxy.inject({ method: 'GET', path: /\/manifests\//, fault: { kind: 'status', status: 503 } });
    const first = await fetch(`${proxy.url}/v2/${REPO}/manifests/v1`, { headers: { accept: image.mediaType } });
    assert.equal(first.status, 503);
    assert.equal(((await first.json()) as { errors: { code: string }[] }).errors[0]!.code, 'UNAVAILABLE');
    const second = await fetch(`${proxy.url}/v2/${REPO}/manifests/v1`, { headers: { accept: image.mediaType } });
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('docker-content-digest'), image.digest);
    assert.equal(proxy.stats.injected.status, 1);
  });

  it('status: 429 carries Retry-After; skip lets the first match through', async () => {
    proxy.inject({ path: /\/blobs\//, skip: 1, times: 2, fault: { kind: 'status', status: 429, retryAfter: '2' } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(blobUrl(), { method: 'HEAD' });
      statuses.push(res.status);
      if (res.status === 429) assert.equal(res.headers.get('retry-after'), '2');
    }
    assert.deepEqual(statuses, [200, 429, 429, 200]);
  });

  it('cut: the body ends before Content-Length', async () => {
    proxy.inject({ path: /\/blobs\//, fault: { kind: 'cut', afterBytes: 1000 } });
    const { declared, received, error } = await rawGet(blobUrl());
    assert.equal(declared, bigBlob.length);
    assert.equal(received, 1000);
    assert.ok(error, 'the client sees an aborted response');
    const next = await fetch(blobUrl()); // times defaults to 1: the next request is whole
    assert.equal(sha256(Buffer.from(await next.arrayBuffer())), blob);
    assert.deepEqual(proxy.stats.log.map((e) => e.fault), ['cut', undefined]);
  });

  it('cut: fetch rejects reading a truncated body', async () => {
    proxy.inject({ path: /\/blobs\//, fault: { kind: 'cut', afterBytes: 4096 } });
    const res = await fetch(blobUrl());
    assert.equal(res.status, 200);
    await assert.rejects(res.arrayBuffer());
  });

  it('flip: one byte changes, so the sha256 no longer matches', async () => {
    proxy.inject({ path: /\/blobs\//, fault: { kind: 'flip', atByte: 70_000 } });
    const flipped = Buffer.from(await (await fetch(blobUrl())).arrayBuffer());
    assert.equal(flipped.length, bigBlob.length);
    assert.notEqual(sha256(flipped), blob);
    assert.equal(flipped[70_000], bigBlob[70_000]! ^ 0xff);
    assert.equal(Buffer.compare(flipped.subarray(0, 70_000), bigBlob.subarray(0, 70_000)), 0);
  });

  it('reset: the connection dies before any answer', async () => {
    proxy.inject({ method: 'GET', fault: { kind: 'reset' } });
    await assert.rejects(fetch(`${proxy.url}/v2/`));
    assert.equal(proxy.stats.injected.reset, 1);
    assert.equal(proxy.stats.log[0]!.status, 0);
  });

  it('delay: the answer comes after the delay, unchanged', async () => {
    proxy.inject({ fault: { kind: 'delay', ms: 50 } });
    const res = await fetch(`${proxy.url}/v2/`);
    assert.equal(res.status, 200);
    assert.equal(proxy.stats.injected.delay, 1);
  });

  it('redirect: 307 to the CDN on another host, which records a naively forwarded Authorization', async () => {
    proxy.redirectBlobsToCdn();
    const res = await fetch(blobUrl(), { redirect: 'manual', headers: { authorization: 'Bearer leaked-registry-token' } });
    assert.equal(res.status, 307);
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.host, proxy.cdn.host);
    assert.notEqual(location.hostname, new URL(proxy.url).hostname);
    // A naive client copies its Authorization header onto the redirected request.
    const fromCdn = await fetch(location, { headers: { authorization: 'Bearer leaked-registry-token' } });
    assert.equal(fromCdn.status, 200);
    assert.equal(sha256(Buffer.from(await fromCdn.arrayBuffer())), blob);
    assert.deepEqual(proxy.cdn.authorizationHeadersSeen, ['Bearer leaked-registry-token']);
    assert.equal(proxy.stats.injected.redirect, 1);
  });

  it('redirect: a client following it without credentials leaves no Authorization at the CDN', async () => {
    proxy.redirectBlobsToCdn();
    const before = proxy.cdn.requests.length;
    const res = await fetch(blobUrl()); // fetch follows the redirect; no Authorization given
    assert.equal(sha256(Buffer.from(await res.arrayBuffer())), blob);
    assert.equal(proxy.cdn.requests.length, before + 1);
    assert.equal(proxy.cdn.requests.at(-1)!.headers.authorization, undefined);
  });

  it('forwards uploads (streamed request bodies) and rewrites Location to the proxy', async () => {
    const bytes = pseudoRandomBytes('upload-through-proxy', 100_000);
    const digest = await pushBlob({ url: proxy.url }, REPO, bytes);
    assert.equal(digest, sha256(bytes));
    const posts = proxy.stats.log.filter((e) => e.method === 'POST' || e.method === 'PUT');
    assert.deepEqual(posts.map((e) => e.status), [202, 201]);
    const direct = await fetch(`${reg.url}/v2/${REPO}/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(direct.status, 200);
  });
});

describe('fault proxy (HTTPS) in front of a token-auth TLS registry', () => {
  let reg: RunningRegistry;
  let proxy: FaultProxy;
  before(async () => {
    reg = await startRegistry({ auth: 'token', tls: true });
    proxy = await proxyFor(reg);
  });
  after(async () => {
    await proxy.close();
    await destroyRegistry(reg);
  });

  it('keeps the token realm pointing at the real token server', async () => {
    assert.match(proxy.url, /^https:/);
    const res = await fetch(`${proxy.url}/v2/`);
    assert.equal(res.status, 401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer /);
    assert.ok(challenge.includes(`realm="${reg.tokenServer!.realm}"`), challenge);
  });
});

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

// node:http, so the declared length and the bytes actually received can both be seen.
function rawGet(url: string): Promise<{ declared: number; received: number; error: boolean }> {
  return new Promise((resolve) => {
    request(url, (res) => {
      let received = 0;
      const declared = Number(res.headers['content-length']);
      res.on('data', (c: Buffer) => { received += c.length; });
      res.on('end', () => resolve({ declared, received, error: false }));
      res.on('error', () => resolve({ declared, received, error: true }));
      res.on('aborted', () => resolve({ declared, received, error: true }));
    }).on('error', () => resolve({ declared: -1, received: 0, error: true })).end();
  });
}
