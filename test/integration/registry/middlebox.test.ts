// Middleboxes that rewrite a registry's answers on the way back (corporate proxies, CDNs, web
// servers in front of a registry): a real TLS distribution registry behind the fault proxy with
// the `middlebox` personality; sync and verify must finish with every digest right (skopeo judges).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FaultProxy, Personality } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { pushBlob, pushManifest, seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';
import { middlebox, type MiddleboxRewrite, type MiddleboxStats } from '../../harness/personalities/middlebox.js';

let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let images: SeededImage[];
let dir: string;
let box: Personality | undefined;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 2, layerBytes: 300_000 });
  images.push(...(await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v0.9.0'], format: 'docker', platforms: 1 })));
  images.push(await bareManifest({ url: source.url }));
  proxy = await proxyFor(source, { personalities: [(ex) => box?.(ex) ?? false] });
  dir = await scratchDir('middlebox');
});

after(async () => {
  await proxy?.close();
  await Promise.all([source, target].filter(Boolean).map(destroyRegistry));
});

/** An OCI manifest without its own `mediaType` (optional before image-spec 1.1), tagged `bare`. */
async function bareManifest(to: { url: string }): Promise<SeededImage> {
  const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const layer = Buffer.from('a layer of a manifest that names no media type');
  const descriptor = async (mediaType: string, bytes: Buffer) => ({ mediaType, digest: await pushBlob(to, 'jetstack/app', bytes), size: bytes.length });
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, config: await descriptor('application/vnd.oci.image.config.v1+json', config), layers: [await descriptor('application/vnd.oci.image.layer.v1.tar', layer)] }));
  const digest = await pushManifest(to, 'jetstack/app', 'bare', bytes, 'application/vnd.oci.image.manifest.v1+json');
  return { tag: 'bare', digest } as SeededImage;
}

/** A config mirroring the source, through the proxy (3 attempts a request), into `target/<name>`. */
function configFor(name: string): Promise<string> {
  return writeConfig(join(dir, name), `version: 1
defaults:
  targets: [${target.host}/${name}]
${registriesYaml([[{ host: proxy.host, caFile: source.caFile }, { maxAttempts: 3 }], target])}images:
  - source: ${proxy.host}/jetstack/app
`);
}

/** sync then verify from the source through the middlebox into `target/<name>`; every digest checked by skopeo. */
async function throughMiddlebox(name: string, rewrite: MiddleboxRewrite): Promise<MiddleboxStats> {
  const stats: MiddleboxStats = { rewritten: 0 };
  box = middlebox(rewrite, stats);
  const config = await configFor(name);
  const sync = await runCli(['sync', '-c', config, '--no-progress'], { timeoutMs: 120_000 });
  assert.equal(sync.exitCode, 0, sync.stdout + sync.stderr);
  const verify = await runCli(['verify', '-c', config, '--no-progress'], { timeoutMs: 120_000 });
  assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
  for (const image of images) assert.equal(await skopeoDigest(`${target.host}/${name}/app:${image.tag}`), image.digest);
  return stats;
}

test('a proxy that gzips every answer nobody asked to have compressed (tag list, manifests, blobs): decoded, every digest right', async () => {
  const stats = await throughMiddlebox('gzipped', { method: 'GET', gzip: true });
  assert.ok(stats.rewritten >= 10, `the middlebox gzipped ${stats.rewritten} answers`);
});

test('a web server that labels stored gzip layers `Content-Encoding: x-gzip` (moby/moby#17595): the blob is taken as it is', async () => {
  const stats = await throughMiddlebox('labelled', { method: 'GET', path: /\/blobs\/sha256:/, label: 'x-gzip' });
  assert.ok(stats.rewritten >= 5, `the middlebox labelled ${stats.rewritten} blobs`);
});

test('blob answers whose Content-Length is 100 bytes too large, the connection closed after the blob: the whole blob is taken (the digest judges it)', async () => {
  const stats = await throughMiddlebox('overstated', { method: 'GET', path: /\/blobs\/sha256:/, lengthDelta: 100 });
  assert.ok(stats.rewritten >= 5, `the middlebox misframed ${stats.rewritten} blobs`);
});

test('a proxy that labels manifests application/octet-stream: one that names no media type of its own is pushed as what its shape says (OCI)', async () => {
  const stats = await throughMiddlebox('relabelled', { path: /\/manifests\//, contentType: 'application/octet-stream' });
  assert.ok(stats.rewritten >= 4, `the middlebox relabelled ${stats.rewritten} manifests`);
});

for (const order of ['length-first', 'length-last'] as const) {
  test(`answers chunked with a Content-Length too (${order}), which undici refuses to read: one line naming the proxy as the cause, not "unreachable"`, async () => {
    const stats: MiddleboxStats = { rewritten: 0 };
    box = middlebox({ method: 'GET', gzip: true, chunked: order }, stats);
    const config = await configFor(order);
    const sync = await runCli(['sync', '-c', config, '--no-progress'], { timeoutMs: 120_000 });
    const out = sync.stdout + sync.stderr;
    assert.equal(sync.exitCode, 1, out);
    assert.match(out, new RegExp(`${proxy.host}: GET \\S+: the answer came with .*Transfer-Encoding: chunked and Content-Length, .*a proxy in front of ${proxy.host} rewrote it`));
    assert.doesNotMatch(out, /unreachable/);
    // A refusal that names both headers is certain, and not retried; the masked one (undici says
    // "not as long as it said") is retried as a cut-short answer would be, then said the same way.
    assert.equal(stats.rewritten, order === 'length-last' ? 1 : 3, 'the tag list asked for');
  });
}
