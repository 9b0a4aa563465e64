// engine: skopeo and a registry that stops answering mid-copy (skopeo3's hunt: copies started
// before a registry hung still waited 5 minutes later; skopeo sets no limit on an answer over a
// connection already open). A fault proxy in front of the source sends a blob's headers and its
// first bytes, then nothing, the connection left open. A skopeo run that moves no byte for the
// engine's stillness span (2 s here, 300 s by default) is stopped and the copy run again, as after
// a dropped connection; skopeo's runs are counted through a wrapper.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { SkopeoEngine } from '../../../src/engines/skopeo.js';
import { CopyError } from '../../../src/types/errors.js';
import type { RepositoryRef } from '../../../src/types/reference.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registrySettings } from '../../harness/tls-bed.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { countingSkopeo, skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const BLOB = /^\/v2\/.+\/blobs\/sha256:[a-f0-9]{64}$/;
let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let images: SeededImage[];
let work: string;
let counting: Awaited<ReturnType<typeof countingSkopeo>>;
const at = (reg: { host: string }, repository: string): RepositoryRef => ({ scheme: 'registry', registry: reg.host, repository });

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  proxy = await proxyFor(source);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 2, layerBytes: 64 * 1024 });
  work = await scratchDir('skopeo-stillness');
  counting = await countingSkopeo(work);
});
after(async () => {
  await proxy.close();
  await Promise.all([destroyRegistry(source), destroyRegistry(target)]);
  await rm(work, { recursive: true, force: true });
});

const engineWith = (maxAttempts: number) => new SkopeoEngine({
  credentials: async () => undefined, binary: counting.binary, backoffBaseMs: 20, stillnessMs: 2000,
  registries: registrySettings([[{ host: proxy.host, caFile: source.caFile }, { maxAttempts }], [target, { maxAttempts }]]),
});

test('a blob read that stalls after its first bytes: the skopeo run that moved nothing is stopped and the copy run again; same digest', { timeout: 120_000 }, async () => {
  await counting.reset();
  proxy.inject({ method: 'GET', path: BLOB, times: 1, fault: { kind: 'stall', afterBytes: 100 } });
  const engine = engineWith(5);
  try {
    await engine.copy({ source: at(proxy, 'jetstack/app'), target: at(target, 'mirror/app'), tag: images[0]!.tag, digest: images[0]!.digest });
  } finally {
    await engine.close();
  }
  assert.equal(proxy.stats.injected.stall, 1, 'the stall was met');
  // The run stopped, then the index in pieces as after any transient failure (engines/skopeo-reruns.ts
  // copyInPieces): its 2 platforms and the index alone.
  assert.equal(await counting.runs(), 4, 'one run stopped, three that landed');
  assert.equal(await skopeoDigest(`${target.host}/mirror/app:${images[0]!.tag}`), images[0]!.digest);
});

test('a source that stalls every blob read: the copy gives up after maxAttempts runs, saying so', { timeout: 120_000 }, async () => {
  await counting.reset();
  proxy.inject({ method: 'GET', path: BLOB, times: Infinity, fault: { kind: 'stall', afterBytes: 100 } });
  const engine = engineWith(2);
  try {
    const error = await engine.copy({ source: at(proxy, 'jetstack/app'), target: at(target, 'mirror/app'), tag: images[1]!.tag, digest: images[1]!.digest }).then(() => undefined, (err: unknown) => err);
    assert.ok(error instanceof CopyError, String(error));
    // No side held bytes skopeo sent: neither is claimed (it read 'destination …', the source stalling).
    assert.equal(error.message.replace(/tried \d+ times/, 'tried N times'), `source ${proxy.host}/jetstack/app or destination ${target.host}/mirror/app: skopeo: skopeo read or wrote nothing for 2 s (a registry holding a request without answering): stopped (tried N times)`);
  } finally {
    proxy.clear();
    await engine.close();
  }
});

test('a target that stops reading an upload: the run that moved nothing is stopped, and its line names the target as the side that held it', { timeout: 120_000 }, async () => {
  // A large layer: the upload fills the connection's buffers, so skopeo's bytes wait unsent.
  const [big] = await seedImage({ url: source.url }, { repository: 'jetstack/big', tags: ['v2.0.0'], format: 'oci', platforms: 1, layerBytes: 24 * 1024 * 1024 });
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  const holding = await proxyFor(target, {
    personalities: [async (ex) => {
      if (ex.method === 'PATCH' && ex.path.includes('/blobs/uploads/')) await released;
      return false;
    }],
  });
  const engine = new SkopeoEngine({
    credentials: async () => undefined, binary: counting.binary, backoffBaseMs: 20, stillnessMs: 2000,
    registries: registrySettings([[source, { maxAttempts: 1 }], [{ host: holding.host, caFile: target.caFile }, { maxAttempts: 1 }]]),
  });
  try {
    const error = await engine.copy({ source: at(source, 'jetstack/big'), target: at(holding, 'mirror/big'), tag: big!.tag, digest: big!.digest }).then(() => undefined, (err: unknown) => err);
    assert.ok(error instanceof CopyError, String(error));
    assert.match(error.message, new RegExp(`: skopeo: skopeo read or wrote nothing for 2 s \\(the target ${holding.host.replace(/\./g, '\\.')} took none of what skopeo was sending it \\([\\d.]+ [KM]iB waiting unsent: an upload it stopped reading\\)\\): stopped`));
  } finally {
    release();
    await engine.close();
    await holding.close();
  }
});
