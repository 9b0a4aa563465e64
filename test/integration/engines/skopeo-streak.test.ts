// engine: skopeo behind a proxy failing 1 request in 4 (issue 9): the native client gives each
// request maxAttempts tries; skopeo 1.9 retries no 502 page, so a run fails at its first one and
// the engine runs it again. A run failing where the last one did is that request failing again;
// one failing elsewhere got past it. Counting every repeat of a point since the copy began (as
// before) gave up on copies whose ping and first blob check each failed now and then: behind
// 1 in 4, 5 of 5 syncs failed where native passed. Fixed fault scripts, by run of skopeo: the
// registry's ping (GET /v2/) tells one run from the next, the copy being alone. A run failing on
// the line the last one did, with one blob more at the target, got past it too.
import { after, before, beforeEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { SkopeoEngine } from '../../../src/engines/skopeo.js';
import { CopyError } from '../../../src/types/errors.js';
import type { RepositoryRef } from '../../../src/types/reference.js';
import type { Exchange, FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registrySettings } from '../../harness/tls-bed.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { countingSkopeo, skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const PAGE = '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n';

let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let work: string;
let skopeo: Awaited<ReturnType<typeof countingSkopeo>>;
let image: SeededImage;
// What fails in run n (1-based, counted by pings): its ping or its first blob check.
let script: (run: number) => 'ping' | 'check' | 'patch' | undefined = () => undefined;
let pings = 0;
let checkFailedIn = 0;
let patchesIn = { run: 0, count: 0 };

function scripted(ex: Exchange): boolean {
  if (ex.path === '/v2/' && ex.method === 'GET') pings++;
  const fault = script(pings);
  if (fault === 'patch' && ex.method === 'PATCH') {
    if (patchesIn.run !== pings) patchesIn = { run: pings, count: 0 };
    if (++patchesIn.count === 1) return false;
    // The run's other uploads answered late, so that its first lands before skopeo stops.
    ex.req.resume();
    setTimeout(() => {
      ex.entry.status = 503;
      ex.res.writeHead(503, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(PAGE) }).end(PAGE);
    }, 1500);
    return true;
  }
  const hit = (fault === 'ping' && ex.path === '/v2/') || (fault === 'check' && ex.method === 'HEAD' && /\/blobs\/sha256:/.test(ex.path) && checkFailedIn !== pings);
  if (!hit) return false;
  if (fault === 'check') checkFailedIn = pings;
  ex.entry.status = 502;
  ex.res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(PAGE) }).end(PAGE);
  return true;
}

const at = (reg: { host: string }, repository: string): RepositoryRef => ({ scheme: 'registry', registry: reg.host, repository });
const engineWith = (maxAttempts: number) => new SkopeoEngine({ credentials: async () => undefined, binary: skopeo.binary, backoffBaseMs: 20, registries: registrySettings([source, [{ host: proxy.host, caFile: target.caFile }, { maxAttempts }]]) });

/** `image` copied from `from` to `to` behind the proxy by an engine with `maxAttempts`; the script cleared after it, however it ended. */
async function copyScripted(maxAttempts: number, from: string, to: string, img: SeededImage): Promise<void> {
  const engine = engineWith(maxAttempts);
  try {
    await engine.copy({ source: at(source, from), target: at(proxy, to), tag: img.tag, digest: img.digest });
  } finally {
    script = () => undefined;
    await engine.close();
  }
}

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  proxy = await proxyFor(target, { personalities: [scripted] });
  image = (await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 }))[0]!;
  work = await scratchDir('skopeo-streak');
  skopeo = await countingSkopeo(work);
});
after(async () => {
  await proxy.close();
  await Promise.all([destroyRegistry(source), destroyRegistry(target)]);
  await rm(work, { recursive: true, force: true });
});
beforeEach(async () => {
  pings = 0;
  checkFailedIn = 0;
  patchesIn = { run: 0, count: 0 };
  await skopeo.reset();
});

it('runs 1-6 fail at the ping and at the first blob check by turns (no request failing twice in a row): the copy lands with maxAttempts 3', { timeout: 240_000 }, async () => {
  script = (run) => (run > 6 ? undefined : run % 2 === 1 ? 'ping' : 'check');
  await copyScripted(3, 'jetstack/app', 'mirror/turns', image);
  assert.ok((await skopeo.runs()) > 6, 'every scripted fault was met');
  assert.equal(await skopeoDigest(`${target.host}/mirror/turns:${image.tag}`), image.digest);
});

it('the ping failing 3 runs in a row ends the copy with maxAttempts 3, one line naming the target', { timeout: 240_000 }, async () => {
  script = (run) => (run >= 2 && run <= 4 ? 'ping' : run === 1 ? 'check' : undefined);
  await assert.rejects(copyScripted(3, 'jetstack/app', 'mirror/pings', image),
    (err) => err instanceof CopyError && err.origin === 'destination' && /pinging container registry .*502/i.test(err.message));
  assert.equal(await skopeo.runs(), 4);
});

// Each run's second blob upload answered 503 (skopeo 1.9 retries none): every run ends on the same
// line, 'writing blob: uploading layer chunked: received unexpected HTTP status: 503', which names
// no blob, while each lands one blob more. Taken for the same request failing again, the copy was
// given up after maxAttempts runs with blobs still to go that the next run would have sent.
it('each run lands one blob more before an upload fails with the same line: the copy lands with maxAttempts 2', { timeout: 240_000 }, async () => {
  const layered = (await seedImage({ url: source.url }, { repository: 'jetstack/layers', tags: ['v2.0.0'], format: 'oci', single: true, sharedBaseBytes: 4096, baseSeed: 'layers' }))[0]!;
  assert.equal(layered.blobDigests.length, 3);
  script = () => 'patch';
  await copyScripted(2, 'jetstack/layers', 'mirror/layers', layered);
  assert.ok((await skopeo.runs()) >= 3, 'an upload failed in each run but the last');
  assert.equal(await skopeoDigest(`${target.host}/mirror/layers:${layered.tag}`), layered.digest);
});
