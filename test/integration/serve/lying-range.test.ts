// A backend whose Range support is broken, asked for the rest of a layer another backend broke off
// (gateway3 hunt): the gateway took a 206 at its Content-Range start alone, so an answer carrying
// other bytes than it said was spliced into the client's download, which then ended short or
// long of the layer and failed skopeo's pull. Such an answer is now read again from the start, as
// the copy's reads do (blob-resume.ts rangeAnswerStart), and skopeo gets every digest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mirrorLargeRelease, startWorld, type World } from './fixture.js';
import { startGateway } from './gateway-process.js';
import { skopeoCopyAll, skopeoDigest } from '../../harness/skopeo.js';
import type { Personality } from '../../harness/fault-proxy.js';
import { passOn, relay } from '../../harness/personalities/upstream-reply.js';
import { MiB } from '../personalities/fixtures.js';

const SIZE = 24 * MiB;
let world: World;
let release: string;
let layer: string;
/** How A answers a Range request for the layer; undefined: as the registry does. */
let rangeAtA: Personality | undefined;
/** Range requests for the layer A answered so. */
let lies = 0;

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 2, personalitiesA: [(ex) => (ex.req.headers.range && ex.path.endsWith(`/blobs/${layer}`) && rangeAtA ? (lies++, rangeAtA(ex)) : false)] });
  ({ release, layer } = await mirrorLargeRelease(world, SIZE));
});

after(async () => {
  await world?.close();
});

/** B (streamed: it needs a token) breaks the layer off at 8 MiB; A answers the rest with `lie`. */
async function pullWithLyingRange(name: string, lie: Personality): Promise<void> {
  rangeAtA = lie;
  lies = 0;
  world.proxyA.resetStats();
  world.proxyB.resetStats();
  world.proxyB.inject({ method: 'GET', path: new RegExp(`/blobs/${layer}$`), fault: { kind: 'cut', afterBytes: 8 * MiB } });
  const gw = await startGateway(await world.config(`  healthInterval: 30\n  backends: [${world.proxyB.host}/mirror-b]`, { name: `${name}.yaml` }), ['--tag-ttl', '0']);
  try {
    await skopeoCopyAll(`${gw.host}/app:v1.16.0`, `oci:${world.dir}/${name}:v1.16.0`, { preserveDigests: true });
    assert.equal(await skopeoDigest(`oci:${world.dir}/${name}:v1.16.0`), release);
    assert.equal(world.proxyB.stats.injected.cut, 1);
    assert.equal(lies, 1, 'the rest was asked of A, once');
    assert.deepEqual(gw.events.filter((e) => e.kind === 'blob' && e.digest === layer).map((e) => e.status), [200], 'the client asked once and got the layer');
    assert.doesNotMatch(gw.stderr(), /wrong bytes|did not match/i, 'no backend blamed for bytes it did not send');
  } finally {
    rangeAtA = undefined;
    world.proxyB.clear();
    assert.equal(await gw.stop(), 0);
  }
}

test('a 206 with the asked bytes but a Content-Range from 0: not spliced in at 0', { timeout: 240_000 }, async () => {
  await pullWithLyingRange('from-zero', async (ex) => {
    const reply = await ex.fetch('GET', ex.path, passOn(ex));
    relay(ex, reply, { set: { 'content-range': `bytes 0-${SIZE - 1}/${SIZE}` } });
    return true;
  });
});

test('a 206 whose Content-Range says the asked offset but whose body is the whole layer', { timeout: 240_000 }, async () => {
  await pullWithLyingRange('whole-body', async (ex) => {
    const asked = String(ex.req.headers.range);
    const headers = passOn(ex);
    delete headers.range;
    const reply = await ex.fetch('GET', ex.path, headers);
    const from = Number(/^bytes=(\d+)-$/.exec(asked)![1]);
    relay(ex, reply, { status: 206, set: { 'content-range': `bytes ${from}-${SIZE - 1}/${SIZE}` } });
    return true;
  });
});

test('a 206 from a later offset than asked: never skipped over', { timeout: 240_000 }, async () => {
  await pullWithLyingRange('ahead', (ex) => {
    const asked = /^bytes=(\d+)-$/.exec(String(ex.req.headers.range))!;
    ex.forward({ headers: { range: `bytes=${Number(asked[1]) + 4096}-` } });
    return true;
  });
});

test('a 200 to a Range: the rest taken past the bytes already sent', { timeout: 240_000 }, async () => {
  await pullWithLyingRange('ignored', (ex) => {
    delete ex.req.headers.range;
    ex.forward();
    return true;
  });
});
