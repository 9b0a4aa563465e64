// Issue 9 (HTTP/2, speed at a distance): a connection carries more than one small request at a time.
// Over HTTP/2 the streams share one session (undici 7 ran one stream per session unless told
// otherwise, so each request in flight took a TLS connection of its own); over HTTP/1.1 small
// requests are pipelined once the pool has all its connections (a few requests spread over
// connections, as before), and blob transfers keep connections of their own, one request at a
// time, so nothing small waits behind a layer's bytes. Counted at proxies in front of real TLS
// registries, every small answer held 30 ms (a registry some way off); skopeo checks the digests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import type { FaultProxy, Personality } from '../../harness/fault-proxy.js';
import { scratchDir } from '../../harness/scratch.js';
import { oneMirrorYaml, proxyFor } from '../../harness/tls-bed.js';

/** What one proxy saw of its connections: how many requests each carried at once. */
class Connections {
  /** Forgets what it saw (a second run). */
  reset(): void {
    this.seen.clear();
    this.most = 0;
    this.besideTransfer = 0;
    this.versions.clear();
  }

  private readonly open = new Map<object, { now: number; transfer: number }>();
  readonly seen = new Set<object>();
  /** The most requests in flight at once on one connection. */
  most = 0;
  /** Requests that shared their connection with a blob transfer in flight. */
  besideTransfer = 0;
  versions = new Set<string>();

  readonly personality: Personality = async (ex) => {
    const conn = connectionOf(ex.req);
    this.seen.add(conn);
    this.versions.add(ex.req.httpVersion);
    const transfer = isTransfer(ex.method, ex.path);
    const state = this.open.get(conn) ?? { now: 0, transfer: 0 };
    this.open.set(conn, state);
    if (state.transfer > 0 || (transfer && state.now > 0)) this.besideTransfer++;
    state.now++;
    if (transfer) state.transfer++;
    this.most = Math.max(this.most, state.now);
    // Its last byte handed over ('finish'), or the answer abandoned ('close'): whichever comes first.
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      state.now--;
      if (transfer) state.transfer--;
    };
    ex.res.once('finish', end).once('close', end);
    if (!transfer) await sleep(30);
    return false;
  };
}

/** The connection a request came on: its HTTP/2 session, or its socket. */
function connectionOf(req: IncomingMessage): object {
  return (req as unknown as { stream?: { session: object } }).stream?.session ?? req.socket;
}

/** A blob's bytes going either way: a blob GET, an upload's PATCH or closing PUT. */
function isTransfer(method: string, path: string): boolean {
  return (method === 'GET' && /\/blobs\/sha256:/.test(path)) || method === 'PATCH' || (method === 'PUT' && /\/blobs\/uploads\//.test(path));
}

let source: RunningRegistry;
let target: RunningRegistry;
let sourceProxy: FaultProxy;
let targetProxy: FaultProxy;
let images: SeededImage[];
let file: string;
let dir: string;
const atSource = new Connections();
const atTarget = new Connections();

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0', 'v1.2.0'], format: 'oci', platforms: 3, layerBytes: 64 * 1024 });
  [sourceProxy, targetProxy] = await Promise.all([
    proxyFor(source, { http2: true, personalities: [atSource.personality] }),
    proxyFor(target, { personalities: [atTarget.personality] }),
  ]);
  dir = await scratchDir('pipelining');
  // concurrency 1 at the target: 3 connections for small requests and 4 slots, so they run out and pipeline.
  file = await writeConfig(dir, oneMirrorYaml(source, [target, { concurrency: 1 }], 'jetstack/app'));
});

after(async () => {
  await Promise.all([sourceProxy?.close(), targetProxy?.close()]);
  await Promise.all([source && destroyRegistry(source), target && destroyRegistry(target)]);
});

test('HTTP/2 streams share a session, HTTP/1.1 small requests are pipelined, blob transfers ride alone; every digest kept', async () => {
  const run = await runCli(['sync', '-c', file, '--no-progress', '--endpoint', `${source.host}=${sourceProxy.url}`, '--endpoint', `${target.host}=${targetProxy.url}`]);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  for (const image of images) assert.equal(await skopeoDigestVerified(`${target.host}/mirror/app:${image.tag}`, target.certDir!), image.digest);

  assert.deepEqual([...atSource.versions], ['2.0']);
  assert.ok(atSource.most >= 4, `several streams at once on one HTTP/2 session (most: ${atSource.most})`);
  assert.ok(atSource.seen.size <= 3, `a few sessions, not one per request in flight (${atSource.seen.size})`);

  assert.deepEqual([...atTarget.versions], ['1.1']);
  assert.ok(atTarget.most >= 2, `small requests pipelined on an HTTP/1.1 connection (most: ${atTarget.most})`);
  assert.equal(atTarget.besideTransfer, 0, 'no request shared its connection with a blob transfer in flight');
});

test('pipelining: false keeps a registry\'s HTTP/1.1 connections to one request at a time; HTTP/2 elsewhere still multiplexes', async () => {
  atSource.reset();
  atTarget.reset();
  const off = await writeConfig(dir, oneMirrorYaml(source, [target, { concurrency: 1, pipelining: false }], 'jetstack/app', 'again'));
  const run = await runCli(['sync', '-c', off, '--no-progress', '--endpoint', `${source.host}=${sourceProxy.url}`, '--endpoint', `${target.host}=${targetProxy.url}`]);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  for (const image of images) assert.equal(await skopeoDigestVerified(`${target.host}/again/app:${image.tag}`, target.certDir!), image.digest);
  assert.ok(atTarget.seen.size > 0);
  assert.equal(atTarget.most, 1, 'one request at a time on each connection');
  assert.ok(atSource.most >= 4, `the source's HTTP/2 still multiplexes (most: ${atSource.most})`);
});
