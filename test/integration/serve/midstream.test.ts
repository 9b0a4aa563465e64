// A backend that breaks while the gateway streams a large layer from it (a reset, the registry
// going down): the gateway carries the download on from the next backend with Range, so skopeo's
// pull finishes with the right digests instead of failing on "unexpected EOF".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mirrorLargeRelease, startWorld, type World } from './fixture.js';
import { startGateway, type GatewayProcess } from './gateway-process.js';
import { skopeoCopyAll, skopeoDigest } from '../../harness/skopeo.js';
import { execa } from 'execa';
import { MiB } from '../personalities/fixtures.js';

const SIZE = 48 * MiB;
let world: World;
let release: string; // the v1.16.0 manifest digest
let layer: string; // its large layer

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 2 });
  ({ release, layer } = await mirrorLargeRelease(world, SIZE));
});

after(async () => {
  await world?.close();
});

/** A gateway of its own (a broken stream opens B's breaker), B first: it needs a token, so the gateway streams its blobs (A's are a 307 to A). */
async function gateway(): Promise<GatewayProcess> {
  return startGateway(await world.config(`  healthInterval: 30\n  backends: [${world.proxyB.host}/mirror-b]`, { name: 'midstream.yaml' }), ['--tag-ttl', '0']);
}

const layerGets = (log: { method: string; path: string; status: number; bytes?: number }[]) => log.filter((e) => e.method === 'GET' && e.path.endsWith(`/blobs/${layer}`));

test('B cut mid-stream: the rest of the layer comes with Range, and skopeo gets every digest', { timeout: 240_000 }, async (t) => {
  world.proxyA.resetStats();
  world.proxyB.resetStats();
  world.proxyB.inject({ method: 'GET', path: new RegExp(`/blobs/${layer}$`), fault: { kind: 'cut', afterBytes: 16 * MiB } });
  const gw = await gateway();
  try {
    await skopeoCopyAll(`${gw.host}/app:v1.16.0`, `oci:${world.dir}/cut:v1.16.0`, { preserveDigests: true });
    assert.equal(await skopeoDigest(`oci:${world.dir}/cut:v1.16.0`), release);
    const reads = [...layerGets(world.proxyB.stats.log), ...layerGets(world.proxyA.stats.log)];
    t.diagnostic(`backend reads of the layer: ${JSON.stringify(reads.map((e) => [e.status, e.bytes]))}`);
    assert.equal(world.proxyB.stats.injected.cut, 1);
    assert.deepEqual(reads.map((e) => e.status), [200, 206], 'one read, then the rest from where it broke');
    assert.ok(reads.reduce((n, e) => n + (e.bytes ?? 0), 0) < SIZE + 16 * MiB, 'not read again from the start');
    const served = gw.events.filter((e) => e.kind === 'blob' && e.digest === layer);
    assert.deepEqual(served.map((e) => e.status), [200], 'the client asked once');
    // Said once, in words (undici's read "other side closed" or "Response body length does not match").
    const said = gw.stderr().split('\n').filter((l) => l.includes(`backend ${world.proxyB.host} `));
    assert.equal(said.length, 1, gw.stderr());
    assert.match(said[0]!, /its answer broke off midway: .+ \((UND_ERR_\w+|ECONNRESET)\)/);
  } finally {
    world.proxyB.clear();
    assert.equal(await gw.stop(), 0);
  }
});

test('B\'s registry going down mid-stream: A carries the layer on, and skopeo gets every digest', { timeout: 240_000 }, async (t) => {
  world.proxyA.resetStats();
  world.proxyB.resetStats();
  // Slow B's answers down so the stop lands mid-layer.
  world.proxyB.inject({ method: 'GET', path: new RegExp(`/blobs/${layer}$`), fault: { kind: 'delay', ms: 1 } });
  const watch = setInterval(() => {
    if (layerGets(world.proxyB.stats.log).some((e) => (e.bytes ?? 0) > 8 * MiB)) {
      clearInterval(watch);
      void world.regB.stop();
    }
  }, 2);
  const gw = await gateway();
  const started = Date.now();
  try {
    await skopeoCopyAll(`${gw.host}/app:v1.16.0`, `oci:${world.dir}/down:v1.16.0`, { preserveDigests: true });
    assert.equal(await skopeoDigest(`oci:${world.dir}/down:v1.16.0`), release);
    assert.ok(Date.now() - started < 60_000, `bounded time: ${Date.now() - started} ms`);
    const rest = layerGets(world.proxyA.stats.log);
    t.diagnostic(`layer reads at B, then A: ${JSON.stringify([...layerGets(world.proxyB.stats.log), ...rest].map((e) => [e.status, e.bytes]))}`);
    assert.ok(rest.length >= 1 && rest.every((e) => e.status === 206), `the rest came from A with Range: ${JSON.stringify(rest)}`);
    const served = gw.events.filter((e) => e.kind === 'blob' && e.digest === layer);
    assert.deepEqual(served.map((e) => [e.status, e.backend]), [[200, world.proxyB.host]], 'the client asked once; B began it');
  } finally {
    clearInterval(watch);
    world.proxyB.clear();
    assert.equal(await gw.stop(), 0);
    await world.regB.start();
  }
});

test('podman pulls through the gateway while B breaks mid-layer: the pull finishes, counted once', { timeout: 300_000 }, async (t) => {
  if ((await execa('podman', ['--version'], { reject: false })).exitCode !== 0) return t.skip('podman is not installed');
  world.proxyA.resetStats();
  world.proxyB.resetStats();
  world.proxyB.inject({ method: 'GET', path: new RegExp(`/blobs/${layer}$`), fault: { kind: 'cut', afterBytes: 16 * MiB } });
  const gw = await gateway();
  const base = ['--root', join(world.dir, 'podman-root'), '--runroot', join(world.dir, 'podman-run'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'];
  try {
    const pull = await execa('podman', [...base, 'pull', '--tls-verify=false', '--quiet', `${gw.host}/app:v1.16.0`], { reject: false, timeout: 240_000 });
    assert.equal(pull.exitCode, 0, pull.stderr);
    const digest = await execa('podman', [...base, 'image', 'inspect', '--format', '{{.Digest}}', `${gw.host}/app:v1.16.0`], { reject: false });
    assert.equal(digest.stdout.trim(), release);
    assert.equal(world.proxyB.stats.injected.cut, 1);
    assert.deepEqual(gw.events.filter((e) => e.kind === 'blob' && e.digest === layer).map((e) => e.status), [200], 'podman asked for the layer once');
    assert.equal(gw.events.filter((e) => e.kind === 'pull' && e.tag === 'v1.16.0').length, 1, 'one pull counted');
  } finally {
    world.proxyB.clear();
    assert.equal(await gw.stop(), 0);
  }
});

/** Waits (bounded) until the gateway has logged an event for the layer. */
async function layerEvent(gw: GatewayProcess): Promise<{ status: number } | undefined> {
  for (let i = 0; i < 200; i++) {
    const found = gw.events.find((e) => e.kind === 'blob' && e.digest === layer);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  return undefined;
}

test('a stream that still ends short is logged as what the client got: 499 when it hung up, 502 when every backend broke', { timeout: 240_000 }, async () => {
  const url = (gw: GatewayProcess) => `${gw.url}/v2/app/blobs/${layer}`;
  let gw = await gateway();
  try {
    // The client reads a little of the layer, then hangs up.
    const hangUp = new AbortController();
    const res = await fetch(url(gw), { signal: hangUp.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await reader.read();
    hangUp.abort();
    await reader.read().catch(() => {});
    assert.equal((await layerEvent(gw))?.status, 499);
  } finally {
    assert.equal(await gw.stop(), 0);
  }
  // Every backend breaks the layer off within a MiB, every time: the resumes run out.
  for (const proxy of [world.proxyA, world.proxyB]) proxy.inject({ method: 'GET', path: new RegExp(`/blobs/${layer}$`), times: Infinity, fault: { kind: 'cut', afterBytes: 256 * 1024 } });
  gw = await gateway();
  try {
    const res = await fetch(url(gw));
    assert.equal(res.status, 200, 'the 200 goes out before the bytes');
    await assert.rejects(res.arrayBuffer(), 'the download ends short');
    assert.equal((await layerEvent(gw))?.status, 502);
  } finally {
    world.proxyA.clear();
    world.proxyB.clear();
    assert.equal(await gw.stop(), 0);
  }
});
