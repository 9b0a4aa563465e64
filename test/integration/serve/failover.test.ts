// Failover through `regmirror serve`: a backend answering 5xx or 429, a drifted backend (a tag
// retargeted by hand), a stopped backend, a black-holed one (accepts, never answers), every
// backend down (served stale), and the token server down. Each pull gets the recorded digest,
// from the backend that should serve it, within a bounded (generous) time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { skopeoCopyAll, skopeoDigest } from '../../harness/skopeo.js';
import { retag } from '../../harness/seed.js';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, type GatewayProcess } from './gateway-process.js';

let world: World;
let gw: GatewayProcess;
const ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';

before(async () => {
  world = await startWorld();
  // Tags are asked every time (no tag cache), one second per backend before the next is tried.
  gw = await startGateway(await world.config('  healthInterval: 1'), ['--tag-ttl', '0', '--timeout', '1']);
});

after(async () => {
  assert.equal(await gw?.stop(), 0);
  await world?.close();
});

/** GET of a tag through the gateway: status, digest, and the event that recorded it. */
async function getTag(g: GatewayProcess, tag: string) {
  const before = g.events.length;
  const res = await fetch(`${g.url}/v2/app/manifests/${tag}`, { headers: { accept: ACCEPT } });
  await res.arrayBuffer();
  await until(() => g.events.slice(before).some((e) => e.kind === 'check' && e.tag === tag), 'the event');
  const event = g.events.slice(before).find((e) => e.kind === 'check' && e.tag === tag)!;
  return { status: res.status, digest: res.headers.get('docker-content-digest'), event };
}

test('a backend answering 503, then 429: the next backend serves the recorded digest', { timeout: 120_000 }, async () => {
  const want = world.images.get('v1.14.0')!.digest;
  for (const fault of [{ kind: 'status' as const, status: 503 }, { kind: 'status' as const, status: 429, retryAfter: '60' }]) {
    // GETs alone: the health probes (a manifest HEAD each second) still pass. A probe that met the
    // fault first took A out of rotation before the pull came, which then never failed over and
    // left the failover count at 0 (a clean CI run failed so, 1 in 1428).
    world.proxyA.inject({ method: 'GET', path: /\/manifests\//, times: Infinity, fault });
    const got = await getTag(gw, 'v1.14.0');
    assert.equal(got.status, 200, `${fault.status}`);
    assert.equal(got.digest, want);
    assert.equal(got.event.backend, world.proxyB.host, `${fault.status}: served by B`);
    assert.equal(await skopeoDigest(`${gw.host}/app:v1.14.0`), want, 'skopeo agrees');
    world.proxyA.clear();
  }
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  assert.match(metrics, new RegExp(`regmirror_gateway_failovers_total\\{backend="${world.proxyA.host}"\\} [1-9]`));
  const page = await (await fetch(`${gw.url}/-/stats`)).text();
  assert.match(page, new RegExp(`${world.proxyA.host}</th>(?:<td class="n">\\d+</td>){3}<td class="(?:up|down)">\\w+</td><td class="n">[1-9]\\d*</td>`), 'the stats page shows A taken out of rotation');
});

test('a drifted backend is skipped for that tag and counted as drift', { timeout: 120_000 }, async () => {
  // The test before left A held off by its 429's Retry-After of 60 s, counted from A's last 429:
  // waiting only 60 s for A left no margin, and on a slow machine ran out. Wait out the hold with
  // room to spare.
  await until(async () => (await getTag(gw, 'v1.14.0')).event.backend === world.proxyA.host, 'A healthy again', 90_000);
  const v14 = world.images.get('v1.14.0')!.digest;
  await retag({ url: world.regA.url }, 'mirror-a/app', 'v1.15.0', 'v1.14.0');
  try {
    const got = await getTag(gw, 'v1.14.0');
    assert.equal(got.digest, v14, 'the recorded digest, not the drifted one');
    assert.equal(got.event.backend, world.proxyB.host);
    assert.equal(await skopeoDigest(`${gw.host}/app:v1.14.0`), v14);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`regmirror_gateway_drift_total\\{image="app",backend="${world.proxyA.host}"\\} [1-9]`));
    const other = await getTag(gw, 'v1.15.0');
    assert.equal(other.event.backend, world.proxyA.host, 'A still serves the tags it holds right');
  } finally {
    await retag({ url: world.regA.url }, 'mirror-a/app', v14, 'v1.14.0');
  }
});

test('a stopped backend: skopeo copy --all still gets every digest, from B', { timeout: 180_000 }, async () => {
  await world.regA.stop();
  try {
    const img = world.images.get('v1.15.0')!;
    const started = Date.now();
    const before = gw.events.length;
    await skopeoCopyAll(`${gw.host}/app:v1.15.0`, `oci:${world.dir}/stopped:v1.15.0`, { preserveDigests: true });
    assert.equal(await skopeoDigest(`oci:${world.dir}/stopped:v1.15.0`), img.digest);
    assert.ok(Date.now() - started < 90_000, 'bounded time');
    const served = gw.events.slice(before).filter((e) => e.status < 400 && (e.kind === 'pull' || e.kind === 'blob'));
    assert.ok(served.length > 0 && served.every((e) => e.backend === world.proxyB.host || e.backend === 'cache'), JSON.stringify(served.map((e) => e.backend)));
  } finally {
    await world.regA.start();
  }
});

test('every backend down: a tag seen before is served stale', { timeout: 120_000 }, async () => {
  const want = world.images.get('v1.15.0')!.digest;
  assert.equal((await getTag(gw, 'v1.15.0')).digest, want);
  await world.regA.stop();
  world.proxyB.inject({ times: Infinity, fault: { kind: 'status', status: 503 } });
  try {
    const got = await getTag(gw, 'v1.15.0');
    assert.equal(got.status, 200);
    assert.equal(got.digest, want);
    assert.equal(got.event.cache, 'stale');
    const unknown = await fetch(`${gw.url}/v2/app/manifests/v9.9.9`, { headers: { accept: ACCEPT } });
    assert.equal(unknown.status, 503, 'never seen, nobody answers: 503, not 404');
  } finally {
    world.proxyB.clear();
    await world.regA.start();
  }
});

test('a backend stopped, then started again: the log says it is down, then back', { timeout: 120_000 }, async (t) => {
  // A gateway of its own: the file's gateway saw A stopped by the tests before, and a backend down a
  // third time within 10 minutes is said to be flapping (flapping.ts), not down and back.
  const g = await startGateway(await world.config('  healthInterval: 1', { name: 'down-back.yaml' }), ['--tag-ttl', '0', '--timeout', '1']);
  const said = (what: string) => g.stderr().split('\n').filter((l) => l.includes(`backend ${world.proxyA.host} ${what}`));
  try {
    await world.regA.stop();
    try {
      await until(() => said('is down').length > 0, 'the down line');
    } finally {
      await world.regA.start();
    }
    await until(() => said('is back').length > 0, 'the back line');
    assert.equal(said('is back').length, 1, g.stderr());
    t.diagnostic(`${said('is down').at(-1)!} / ${said('is back').at(-1)!}`);
    assert.match(said('is back').at(-1)!, new RegExp(`^warning: backend ${world.proxyA.host} is back \\(down for \\d+s\\)$`));
  } finally {
    assert.equal(await g.stop(), 0);
  }
});

test('a black-holed backend (accepts, never answers): the deadline moves on to B', { timeout: 180_000 }, async () => {
  const sockets = new Set<Socket>();
  const hole: Server = createServer((s) => { sockets.add(s); s.on('error', () => {}); });
  await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
  const holeHost = `127.0.0.1:${(hole.address() as { port: number }).port}`;
  const config = await world.config('  healthInterval: 30', { name: 'blackhole.yaml', targets: [`${holeHost}/mirror-a`, `${world.proxyB.host}/mirror-b`] });
  const g = await startGateway(config, ['--tag-ttl', '0', '--timeout', '1']);
  try {
    const want = world.images.get('v1.14.0')!;
    const started = Date.now();
    assert.equal(await skopeoDigest(`${g.host}/app:v1.14.0`), want.digest);
    await skopeoCopyAll(`${g.host}/app:v1.14.0`, `oci:${world.dir}/hole:v1.14.0`, { preserveDigests: true });
    assert.ok(Date.now() - started < 120_000, `bounded time: ${Date.now() - started} ms (undici alone would wait 300 s per request)`);
    assert.ok(g.events.filter((e) => e.kind === 'pull').every((e) => e.backend === world.proxyB.host || e.backend === 'cache'));
    // The log names what happened and the setting that decides it (it used to say "is down: aborted").
    await until(() => g.stderr().includes(`backend ${holeHost} gave no answer within 1 s (--timeout)`), 'the log line');
    assert.doesNotMatch(g.stderr(), /aborted/);
  } finally {
    assert.equal(await g.stop(), 0);
    for (const s of sockets) s.destroy();
    hole.close();
  }
});

test('SIGTERM: a request in flight finishes, then exit 0', { timeout: 120_000 }, async () => {
  const g = await startGateway(await world.config('  healthInterval: 30', { name: 'sigterm.yaml' }), ['--tag-ttl', '0', '--timeout', '20']);
  world.proxyA.inject({ path: /\/manifests\/v1\.14\.0/, method: 'GET', fault: { kind: 'delay', ms: 3000 } });
  try {
    const pending = fetch(`${g.url}/v2/app/manifests/v1.14.0`, { headers: { accept: ACCEPT } });
    await until(() => world.proxyA.stats.injected.delay > 0, 'the request to reach the backend');
    const exit = g.stop();
    const res = await pending;
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-content-digest'), world.images.get('v1.14.0')!.digest);
    assert.equal(await exit, 0);
  } finally {
    world.proxyA.clear();
  }
});

test('without a lock, a saved verify report is the record: a tag moved at the source and one mirror is not followed', { timeout: 120_000 }, async () => {
  const v14 = world.images.get('v1.14.0')!.digest;
  const v15 = world.images.get('v1.15.0')!.digest;
  const report = join(world.dir, 'verify.json');
  await writeFile(report, JSON.stringify({ version: 1, generatedAt: '2026-01-01T00:00:00Z', summary: { repositories: 1, tags: 1, targets: 2, inSync: 2, drift: 0, errors: 0 },
    results: [{ source: `${world.proxyA.host}/jetstack/app`, tag: 'v1.14.0', sourceDigest: v14, targets: [] }] }));
  const config = (await readFile(await world.config('  healthInterval: 30', { name: 'nolock.yaml' }), 'utf8')).replace('lock: ./mirrors.lock', 'lock: ./absent.lock');
  const file = join(world.dir, 'nolock.yaml');
  await writeFile(file, config);
  await retag({ url: world.regA.url }, 'jetstack/app', 'v1.15.0', 'v1.14.0');
  await retag({ url: world.regA.url }, 'mirror-a/app', 'v1.15.0', 'v1.14.0');
  try {
    const withReport = await startGateway(file, ['--tag-ttl', '0', '--verify-report', report]);
    const got = await getTag(withReport, 'v1.14.0');
    assert.equal(await withReport.stop(), 0);
    assert.equal(got.digest, v14, 'the verified digest');
    assert.equal(got.event.backend, world.proxyB.host);
    const live = await startGateway(file, ['--tag-ttl', '0']);
    const moved = await getTag(live, 'v1.14.0');
    assert.equal(await live.stop(), 0);
    assert.equal(moved.digest, v15, 'without a record, the source\'s answer now is the one');
  } finally {
    await retag({ url: world.regA.url }, 'jetstack/app', v14, 'v1.14.0');
    await retag({ url: world.regA.url }, 'mirror-a/app', v14, 'v1.14.0');
  }
});

// Last: the token server cannot be started again.
test('the token server down: B (preferred) cannot be used; A serves', { timeout: 120_000 }, async () => {
  const config = await world.config(`  healthInterval: 30\n  backends: [${world.proxyB.host}/mirror-b, ${world.proxyA.host}/mirror-a]`, { name: 'tokens.yaml' });
  const g1 = await startGateway(config, ['--tag-ttl', '0', '--timeout', '2']);
  const first = await getTag(g1, 'v1.14.0');
  assert.equal(first.event.backend, world.proxyB.host, 'B is preferred while its token server works');
  assert.equal(await g1.stop(), 0);
  await world.regB.tokenServer!.stop();
  // A gateway that holds no token yet (a new replica, or after its tokens expired).
  const g = await startGateway(config, ['--tag-ttl', '0', '--timeout', '2']);
  try {
    const img = world.images.get('v1.15.0')!;
    const got = await getTag(g, 'v1.15.0');
    assert.equal(got.digest, img.digest);
    assert.equal(got.event.backend, world.proxyA.host);
    await skopeoCopyAll(`${g.host}/app:v1.15.0`, `oci:${world.dir}/tokens:v1.15.0`, { preserveDigests: true });
    assert.equal(await skopeoDigest(`oci:${world.dir}/tokens:v1.15.0`), img.digest);
  } finally {
    assert.equal(await g.stop(), 0);
  }
});
