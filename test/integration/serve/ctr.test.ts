// containerd's own client, `ctr`, pulls through `regmirror serve` in front of TLS docker-registry
// backends (the test CA): a multi-arch index and a single-platform image, the digests it records
// checked against the record and, at the backends, by skopeo; a pull while the first backend is
// down; a layer download cut between ctr and the gateway, resumed; tags the gateway refuses.
// containerd differs from skopeo and podman on the wire: it HEADs a tag before GETting it, never
// pings /v2/ first, follows the 307s with the TLS settings of the host it asked (its hosts.toml),
// resumes a cut blob with `Range: bytes=N-` from what it has, within the same pull, and shows a
// refused tag by its status line alone (a 404 only as "not found").
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { containerdUnavailable, plainHostsDir, startContainerd, type Containerd } from '../../harness/containerd.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { bearerFor } from '../../harness/registry.js';
import { getManifest, retag, seedImage } from '../../harness/seed.js';
import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy.js';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, type GatewayProcess } from './gateway-process.js';

let world: World;
let gw: GatewayProcess;
let ctrd: Containerd | undefined;
let hosts: string;
const unavailable = await containerdUnavailable();

before(async () => {
  if (unavailable) return;
  // 512 KiB layers: large enough to be cut mid-download.
  world = await startWorld({ tags: ['v1.14.0'], singleTags: ['v1.15.0', 'v1.16.0', 'v1.17.0'], platforms: 2, layerBytes: 512 * 1024 });
  gw = await startGateway(await world.config('  healthInterval: 1'), ['--tag-ttl', '0']);
  ctrd = await startContainerd();
  hosts = await plainHostsDir(world.dir, gw.host, world.regA.caFile!);
});

after(async () => {
  await ctrd?.close();
  if (gw) assert.equal(await gw.stop(), 0);
  await world?.close();
});

/** `ctr images pull` of app:TAG from `host` (the gateway, or a proxy in front of it) into `namespace`. */
function pull(namespace: string, tag: string, extra: string[] = [], host = gw.host) {
  return ctrd!.ctr(['images', 'pull', '--hosts-dir', hosts, '--snapshotter', 'native', ...extra, `${host}/app:${tag}`], { namespace });
}

/** The digest `ctr images ls` records for app:TAG. */
async function listed(namespace: string, tag: string, host = gw.host): Promise<string | undefined> {
  const ls = await ctrd!.ctr(['images', 'ls'], { namespace });
  assert.equal(ls.exitCode, 0, ls.stderr);
  const row = ls.stdout.split('\n').find((l) => l.startsWith(`${host}/app:${tag} `));
  return row?.split(/\s+/)[2];
}

async function pullsCounted(tag: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  return [...text.matchAll(new RegExp(`^regmirror_gateway_pulls_total\\{image="app",tag="${tag.replace(/\./g, '\\.')}",[^}]*\\} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
}

test('ctr pulls a multi-arch index and a single-platform image: the digests recorded, as skopeo reads them at both backends', { timeout: 120_000 }, async (t) => {
  if (unavailable) return t.skip(unavailable);
  const tags = ['v1.14.0', 'v1.15.0'];
  for (const tag of tags) {
    const img = world.images.get(tag)!;
    for (const backend of [`${world.proxyA.host}/mirror-a`, `${world.proxyB.host}/mirror-b`]) {
      assert.equal(await skopeoDigestVerified(`${backend}/app:${tag}`, world.regA.certDir!, backend.includes('mirror-b') ? { creds: `admin:${world.regB.users.admin}` } : {}), img.digest, `${backend}/app:${tag}`);
    }
  }
  const before = gw.events.length;
  const index = await pull('clients', 'v1.14.0', ['--all-platforms']);
  assert.equal(index.exitCode, 0, index.stderr);
  const single = await pull('clients', 'v1.15.0');
  assert.equal(single.exitCode, 0, single.stderr);
  for (const tag of tags) assert.equal(await listed('clients', tag), world.images.get(tag)!.digest, `ctr images ls: ${tag}`);
  const check = await ctrd!.ctr(['images', 'check'], { namespace: 'clients' });
  assert.equal(check.exitCode, 0, check.stderr);
  for (const tag of tags) assert.match(check.stdout, new RegExp(`${gw.host}/app:${tag} .*complete \\(\\d+/\\d+\\)`), check.stdout);
  await until(() => gw.events.length - before >= 9, 'the events');
  const pulls = (tag: string) => gw.events.slice(before).filter((e) => e.kind === 'pull' && e.tag === tag && e.client === 'containerd' && !e.repeat).length;
  assert.equal(pulls('v1.14.0'), 2, 'each platform of the index a pull, attributed to the tag');
  assert.equal(pulls('v1.15.0'), 1, 'the single image a pull');
  // ctr content fetch: the same content, no unpacking, in a namespace of its own.
  const fetched = await ctrd!.ctr(['content', 'fetch', '--hosts-dir', hosts, '--all-platforms', `${gw.host}/app:v1.14.0`], { namespace: 'content' });
  assert.equal(fetched.exitCode, 0, fetched.stderr);
  const blobs = await ctrd!.ctr(['content', 'ls', '-q'], { namespace: 'content' });
  const img = world.images.get('v1.14.0')!;
  for (const d of [img.digest, ...img.childDigests, ...img.blobDigests]) assert.ok(blobs.stdout.split('\n').includes(d), `content fetch holds ${d}`);
});

test('ctr pulls while the first backend is down: served by the next, counted once', { timeout: 120_000 }, async (t) => {
  if (unavailable) return t.skip(unavailable);
  world.proxyA.inject({ times: Infinity, fault: { kind: 'reset' } });
  try {
    const before = gw.events.length;
    const r = await pull('failover', 'v1.16.0');
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(await listed('failover', 'v1.16.0'), world.images.get('v1.16.0')!.digest);
    await until(() => gw.events.slice(before).some((e) => e.kind === 'pull'), 'the pull event');
    const events = gw.events.slice(before);
    assert.equal(events.find((e) => e.kind === 'check' && e.tag === 'v1.16.0')?.backend, world.proxyB.host, 'the tag answered by B');
    assert.equal(events.filter((e) => e.kind === 'pull' && e.tag === 'v1.16.0' && !e.repeat).length, 1, JSON.stringify(events));
    assert.equal(await pullsCounted('v1.16.0'), 1, 'regmirror_gateway_pulls_total');
    assert.ok(events.filter((e) => e.kind === 'blob').every((e) => e.status === 200 && e.backend === world.proxyB.host), 'blobs streamed from B');
  } finally {
    world.proxyA.clear();
  }
});

test('a layer cut between ctr and the gateway: ctr asks again with Range: bytes=N-, gets a 206, and the pull completes, counted once', { timeout: 120_000 }, async (t) => {
  if (unavailable) return t.skip(unavailable);
  // A down: B's blobs need a token, so the gateway streams them itself (a 307 would hand the Range to A).
  world.proxyA.inject({ times: Infinity, fault: { kind: 'reset' } });
  const img = world.images.get('v1.17.0')!;
  const manifest = JSON.parse((await getManifest({ url: world.regA.url }, 'jetstack/app', 'v1.17.0'))!.bytes.toString('utf8')) as { layers: { digest: string }[] };
  const layer = manifest.layers[0]!.digest;
  const ranges: string[] = [];
  const front: FaultProxy = await startFaultProxy(gw.url, { personalities: [(ex) => {
    if (ex.req.headers.range) ranges.push(`${ex.req.url} ${ex.req.headers.range}`);
    return false;
  }] });
  try {
    await plainHostsDir(world.dir, front.host, world.regA.caFile!);
    const cutAt = 200 * 1024;
    front.inject({ method: 'GET', path: new RegExp(`/blobs/${layer}`), times: 1, fault: { kind: 'cut', afterBytes: cutAt } });
    const before = gw.events.length;
    const r = await pull('resume', 'v1.17.0', [], front.host);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(await listed('resume', 'v1.17.0', front.host), img.digest);
    assert.deepEqual(ranges, [`/v2/app/blobs/${layer} bytes=${cutAt}-`], 'ctr resumed the cut blob from what it had');
    await until(() => gw.events.slice(before).some((e) => e.kind === 'blob' && e.status === 206), 'the 206');
    assert.equal(gw.events.slice(before).filter((e) => e.kind === 'pull' && !e.repeat).length, 1, 'one pull');
  } finally {
    world.proxyA.clear();
    await front.close();
  }
});

test('tags the gateway refuses fail ctr\'s pull, a moved one saying why', { timeout: 120_000 }, async (t) => {
  if (unavailable) return t.skip(unavailable);
  // Only a mirror has v9.9.9; the source says it does not exist: nobody published it.
  await seedImage({ url: world.regA.url }, { repository: 'mirror-a/app', tags: ['v9.9.9'], format: 'oci', platforms: 1, seed: 'nobody published this' });
  const unrecorded = await pull('refused', 'v9.9.9');
  assert.notEqual(unrecorded.exitCode, 0);
  assert.match(unrecorded.stderr, new RegExp(`ctr: failed to resolve reference "${gw.host}/app:v9\\.9\\.9": ${gw.host}/app:v9\\.9\\.9: not found`));
  assert.equal(await listed('refused', 'v9.9.9'), undefined, 'nothing recorded');
  // v1.14.0 moved to v1.15.0's digest at the source and both mirrors, the lock pinning the old one.
  // containerd HEADs the tag and shows a 404 as "not found" whatever its body says; a refusal's
  // status line it shows as it is.
  const recorded = world.images.get('v1.14.0')!.digest;
  await retag({ url: world.regA.url }, 'jetstack/app', 'v1.15.0', 'v1.14.0');
  await retag({ url: world.regA.url }, 'mirror-a/app', 'v1.15.0', 'v1.14.0');
  await retag({ url: world.regB.url, auth: (scope) => bearerFor(world.regB, scope) }, 'mirror-b/app', 'v1.15.0', 'v1.14.0');
  const drifted = await pull('refused', 'v1.14.0');
  assert.notEqual(drifted.exitCode, 0);
  assert.match(drifted.stderr, new RegExp(`ctr: failed to resolve reference "${gw.host}/app:v1\\.14\\.0": .*: 403 app:v1\\.14\\.0 is not served: every backend that has it holds another digest than the recorded ${recorded}$`, 'm'), drifted.stderr);
  assert.equal(await listed('refused', 'v1.14.0'), undefined, 'nothing recorded');
});

test('every backend down: ctr\'s line says so, not a bare 503', { timeout: 120_000 }, async (t) => {
  if (unavailable) return t.skip(unavailable);
  world.proxyA.inject({ times: Infinity, fault: { kind: 'reset' } });
  world.proxyB.inject({ times: Infinity, fault: { kind: 'reset' } });
  try {
    const r = await pull('down', 'v1.99.0');
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, /failed with status code \[manifests v1\.99\.0\]: 503 no backend could answer \(down, unreachable or refusing the gateway\); try again later$/m, r.stderr);
  } finally {
    world.proxyA.clear();
    world.proxyB.clear();
  }
});
