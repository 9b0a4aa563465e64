// Many clients pulling the same streamed layer at once (a release day: a CI fleet pulls a new tag
// cold): the gateway read it from its backend once per client. Backend B (token auth, TLS: the
// gateway streams its blobs) answers the layer's first MiB and then waits until every client's
// request has had its 200 from the gateway (seen at a counting front before the gateway), so every
// client is there while the read is at its start, whatever the machine's pace: no timing decides.
// REGMIRROR_SHARED_MIB and REGMIRROR_SHARED_CLIENTS scale it up (the measurement: 300 MiB, 12).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { execa } from 'execa';
import { mirrorLargeRelease, startWorld, type World } from './fixture.js';
import { startGateway, until } from './gateway-process.js';
import { startFaultProxy, type Personality } from '../../harness/fault-proxy.js';
import { skopeoCopyAll, skopeoDigest } from '../../harness/skopeo.js';
import { MiB, patternBytes } from '../personalities/fixtures.js';
import { digestOf, tarWithOneFile } from '../../harness/seed.js';

const SIZE = Number(process.env.REGMIRROR_SHARED_MIB ?? 32) * MiB;
const CLIENTS = Number(process.env.REGMIRROR_SHARED_CLIENTS ?? 6);
let world: World;
let release: string;
let layer: string;
/** The layer's whole GETs B answered (Range GETs are a resumption's), and the bytes it sent. */
const reads = { gets: 0, bytes: 0 };
let open: () => void = () => {};
let gate = new Promise<void>((r) => (open = r));
/** B's next whole GET of the layer breaks off after this many bytes (a reset), once. */
let cutAt: number | undefined;

/** The layer's bytes, as seeded (B answers its headers at once, as a registry does: a first answer held while a 300 MiB body was read had the gateway's hedge ask A, whose 307 went to the clients). */
let bytes: Buffer | undefined;

/**
 * B's answer to a whole GET of the layer: its first MiB, then the rest once the gate opens. The
 * registry checks each GET's token (a HEAD with it); the bytes are the seeded layer's.
 */
const gatedLayer: Personality = async (ex) => {
  if (ex.method !== 'GET' || !ex.path.endsWith(`/blobs/${layer}`) || ex.req.headers.range) return false;
  const up = await ex.fetch('HEAD', ex.path, { authorization: ex.req.headers.authorization ?? '' });
  ex.entry.status = up.status;
  if (up.status !== 200 || !bytes) {
    ex.res.writeHead(up.status, up.headers).end();
    return true;
  }
  reads.gets++;
  reads.bytes += bytes.length;
  ex.res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length), 'docker-content-digest': layer });
  ex.res.write(bytes.subarray(0, MiB));
  await gate;
  if (cutAt !== undefined) {
    ex.res.write(bytes.subarray(MiB, cutAt), () => ex.res.socket?.destroy());
    cutAt = undefined;
    return true;
  }
  ex.res.end(bytes.subarray(MiB));
  return true;
};

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 1, personalitiesB: [gatedLayer] });
  ({ release, layer } = await mirrorLargeRelease(world, SIZE));
  // The large layer as seedLarge made it (personalities/fixtures.ts).
  bytes = tarWithOneFile('large.bin', patternBytes('jetstack/app:v1.16.0:large', SIZE));
  assert.equal(digestOf(bytes), layer);
});

after(async () => {
  await world?.close();
});

/** The gate closed again and B's counts zeroed, for the next test. */
function reset(): void {
  gate = new Promise<void>((r) => (open = r));
  reads.gets = 0;
  reads.bytes = 0;
  world.proxyA.resetStats();
  world.proxyB.resetStats();
}

/** A gateway of its own, B first (it needs a token: the gateway streams its blobs), and a front that sees each client's layer request and the start of the gateway's answer. */
async function gatewayWithFront() {
  const gw = await startGateway(await world.config(`  healthInterval: 30\n  backends: [${world.proxyB.host}/mirror-b]`, { name: 'shared.yaml' }), ['--timeout', '120']);
  const front = await startFaultProxy(gw.url);
  const answered = () => front.stats.log.filter((e) => e.method === 'GET' && e.path.endsWith(`/blobs/${layer}`) && e.status === 200).length;
  return { gw, front, answered };
}

/** The layer's digest as curl reads it through `host` (its bytes hashed as they come). */
async function curlDigest(host: string): Promise<string> {
  const got = await execa('bash', ['-c', `set -o pipefail; curl -sSf http://${host}/v2/app/blobs/${layer} | sha256sum`]);
  return `sha256:${got.stdout.split(' ')[0]}`;
}

/** Reads of the layer with Range (a break carried on, a client left behind) at A and B. */
const rangeReads = () => [...world.proxyA.stats.log, ...world.proxyB.stats.log].filter((e) => e.path.endsWith(`/blobs/${layer}`) && e.status === 206).length;

/** What a process used: CPU seconds and its peak resident memory (MiB), from /proc. */
async function usage(pid: number): Promise<{ cpu: number; peakMiB: number }> {
  const { readFile } = await import('node:fs/promises');
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return { cpu: (Number(stat[11]) + Number(stat[12])) / 100, peakMiB: Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024) };
}

test(`${CLIENTS} clients pull the same streamed layer at once: B reads it once, each client gets every byte`, { timeout: 900_000 }, async (t) => {
  reset();
  const { gw, front, answered } = await gatewayWithFront();
  void until(() => answered() >= CLIENTS, 'every client\'s 200 for the layer', 600_000).then(() => open(), () => open());
  const base = (i: number) => ['--root', join(world.dir, `podman-root-${i}`), '--runroot', join(world.dir, `podman-run-${i}`), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'];
  const hasPodman = (await execa('podman', ['--version'], { reject: false })).exitCode === 0;
  try {
    const clients = Array.from({ length: CLIENTS }, async (_, i): Promise<string> => {
      if (i % 3 === 0) {
        await skopeoCopyAll(`${front.host}/app:v1.16.0`, `oci:${world.dir}/shared-${i}:v1.16.0`, { preserveDigests: true });
        return skopeoDigest(`oci:${world.dir}/shared-${i}:v1.16.0`);
      }
      if (i % 3 === 1 && hasPodman) {
        const pull = await execa('podman', [...base(i), 'pull', '--tls-verify=false', '--quiet', `${front.host}/app:v1.16.0`], { reject: false });
        assert.equal(pull.exitCode, 0, pull.stderr);
        return (await execa('podman', [...base(i), 'image', 'inspect', '--format', '{{.Digest}}', `${front.host}/app:v1.16.0`])).stdout.trim();
      }
      return curlDigest(front.host);
    });
    const settled = await Promise.allSettled(clients);
    const used = await usage(gw.pid);
    const failed = settled.flatMap((r, i) => (r.status === 'rejected' ? [`client ${i}: ${String(r.reason).slice(0, 300)}`] : []));
    const odd = gw.events.filter((e) => e.status !== 200 && e.status !== 307);
    if (failed.length > 0) t.diagnostic(`failed: ${failed.join('\n')}\nevents not 200: ${JSON.stringify(odd)}\ngateway: ${gw.stderr().slice(-3000)}`);
    const digests = settled.map((r) => (r.status === 'fulfilled' ? r.value : 'failed'));
    t.diagnostic(`${CLIENTS} clients of a ${SIZE / MiB} MiB layer: B answered ${reads.gets} whole GETs of it, ${Math.round(reads.bytes / MiB)} MiB; Range GETs ${rangeReads()}; gateway CPU ${used.cpu} s, peak RSS ${used.peakMiB} MiB`);
    assert.deepEqual(digests, Array.from({ length: CLIENTS }, (_, i) => (i % 3 === 2 || (i % 3 === 1 && !hasPodman) ? layer : release)));
    assert.equal(reads.gets, 1, 'one read of the layer at B');
    // Each client's download is its own event and counts as served.
    await until(() => gw.events.filter((e) => e.kind === 'blob' && e.digest === layer).length >= CLIENTS, 'every client\'s event');
    const served = gw.events.filter((e) => e.kind === 'blob' && e.digest === layer);
    assert.deepEqual(served.map((e) => [e.status, e.backend]), served.map(() => [200, world.proxyB.host]));
    assert.equal(gw.events.filter((e) => e.kind === 'pull' && e.tag === 'v1.16.0').length, CLIENTS - digests.filter((d) => d === layer).length, 'each image pull counted');
  } finally {
    open();
    await front.close();
    assert.equal(await gw.stop(), 0);
  }
});

test('B breaks off the shared read: every client\'s download goes on from where it broke, one Range read for all', { timeout: 300_000 }, async () => {
  reset();
  cutAt = 12 * MiB;
  const { gw, front, answered } = await gatewayWithFront();
  void until(() => answered() >= 3, 'every client\'s 200', 120_000).then(() => open(), () => open());
  try {
    const digests = await Promise.all([curlDigest(front.host), curlDigest(front.host), curlDigest(front.host)]);
    assert.deepEqual(digests, [layer, layer, layer]);
    assert.equal(reads.gets, 1, 'one whole read');
    assert.equal(rangeReads(), 1, 'the rest once, for the three');
    await until(() => gw.events.filter((e) => e.kind === 'blob' && e.digest === layer).length >= 3, 'the events');
    assert.deepEqual(gw.events.filter((e) => e.kind === 'blob' && e.digest === layer).map((e) => e.status), [200, 200, 200]);
  } finally {
    open();
    cutAt = undefined;
    await front.close();
    assert.equal(await gw.stop(), 0);
  }
});

test('a client that stops reading holds nobody: the others finish, and it reads the rest alone and still gets every byte', { timeout: 300_000 }, async () => {
  reset();
  const { gw, front, answered } = await gatewayWithFront();
  void until(() => answered() >= 3, 'every client\'s 200', 120_000).then(() => open(), () => open());
  try {
    // Its headers, then nothing read until the others are done.
    const paused = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = (http.get(`http://${front.host}/v2/app/blobs/${layer}`, resolve));
      req.on('error', reject);
    });
    paused.pause();
    const others = await Promise.all([curlDigest(front.host), curlDigest(front.host)]);
    assert.deepEqual(others, [layer, layer], 'the others finished while it read nothing');
    assert.equal(reads.gets, 1);
    const hash = createHash('sha256');
    for await (const chunk of paused) hash.update(chunk as Buffer);
    assert.equal(`sha256:${hash.digest('hex')}`, layer, 'every byte, in order');
    assert.equal(reads.gets, 1, 'no whole read of its own');
    assert.equal(rangeReads(), 1, 'the rest of it with Range');
    await until(() => gw.events.filter((e) => e.kind === 'blob' && e.digest === layer).length >= 3, 'the events');
    assert.deepEqual(gw.events.filter((e) => e.kind === 'blob' && e.digest === layer).map((e) => [e.status, e.backend]), [200, 200, 200].map((s) => [s, world.proxyB.host]));
  } finally {
    open();
    await front.close();
    assert.equal(await gw.stop(), 0);
  }
});
