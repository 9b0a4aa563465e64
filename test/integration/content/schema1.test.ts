// A backfill of a project that published since 2016 meets Docker schema 1 tags: signed
// (`v1+prettyjws`), named by the digest of their payload without signatures, and signed anew on
// each GET by distribution, so the bytes served never hash to that digest. regmirror called that a
// "digest mismatch" (a random "got" digest each run, read five times as if spoiled). skopeo copy
// --preserve-digests refuses such a tag; so do we, in one line that says what it is and what to do,
// and the modern tags beside it are copied. A real TLS registry, schema 1 served by a personality.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FaultProxy, Personality } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';
import { LayoutWriter, tagged } from '../../harness/layout-writer.js';
import { schemaOneManifest, serveSchemaOne } from '../../harness/schema1.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const OLD = 'v0.9.0';
const old = schemaOneManifest('jetstack/app', OLD);
const { payload, digest: payloadDigest } = old;

// Serves OLD as distribution serves a stored schema 1 manifest: fresh signatures on every GET,
// Docker-Content-Digest the payload's; and adds OLD to the tag list.
function schemaOneTag(type: string): Personality {
  return async (ex) => {
    if (/\/tags\/list(\?|$)/.test(ex.path)) {
      const reply = await ex.fetch('GET', ex.path);
      const list = JSON.parse(reply.body.toString()) as { name: string; tags: string[] };
      const body = JSON.stringify({ ...list, tags: [...list.tags, OLD] });
      ex.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      return true;
    }
    if (!ex.path.endsWith(`/manifests/${OLD}`)) return false;
    return serveSchemaOne(ex, old, type);
  };
}

let source: RunningRegistry;
let target: RunningRegistry;
const proxies: FaultProxy[] = [];
let images: SeededImage[];

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 1, seed: 'modern' });
});

after(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all([source, target].filter(Boolean).map(destroyRegistry));
});

for (const type of ['application/vnd.docker.distribution.manifest.v1+prettyjws', 'application/json']) {
  test(`a schema 1 tag served as ${type} is refused in one line, read once, and the modern tag is copied`, async () => {
    const proxy = await proxyFor(source, { personalities: [schemaOneTag(type)] });
    proxies.push(proxy);
    const config = await writeConfig(await scratchDir('schema1'), `version: 1
defaults:
  targets: [${target.host}/mirror${proxies.length}]
${registriesYaml([{ host: proxy.host, caFile: source.caFile }, target])}images:
  - source: ${proxy.host}/jetstack/app
`);
    const sync = await runCli(['sync', '-c', config, '--no-progress'], { timeoutMs: 120_000 });
    assert.equal(sync.exitCode, 1, sync.stdout + sync.stderr);
    const said = sync.stderr.split('\n').filter((l) => l.includes(`jetstack/app:${OLD}`));
    assert.equal(said.length, 1, sync.stderr);
    assert.match(said[0]!, /is a Docker schema 1 manifest .*re-push it as schema 2 or OCI, or drop it with tags\.exclude/);
    assert.doesNotMatch(sync.stdout + sync.stderr, /digest mismatch/);
    // Signed anew on each GET: reading it again cannot help, so it is read once.
    const reads = proxy.stats.log.filter((e) => e.method === 'GET' && e.path.endsWith(`/manifests/${OLD}`));
    assert.equal(reads.length, 1, JSON.stringify(reads));
    assert.equal(await skopeoDigest(`${target.host}/mirror${proxies.length}/app:v1.0.0`), images[0]!.digest);
    const verify = await runCli(['verify', '-c', config, '--no-progress'], { timeoutMs: 120_000 });
    assert.equal(verify.exitCode, 3, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /v0\.9\.0 .* error .*Docker schema 1 manifest/);
  });
}

// skopeo copies a schema 1 tag into a layout under its payload's digest, its signed bytes in the
// blob: regmirror read such a tag as a "digest mismatch", or as 'unsupported manifest media type
// "unknown"' when named by its bytes.
test('a layout tag whose index.json entry is schema 1 is refused in the same words, whatever name its blob has', async () => {
  const dir = await scratchDir('schema1-layout');
  const w = new LayoutWriter(join(dir, 'app'));
  const modern = await w.json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: await w.blob('application/vnd.oci.image.config.v1+json', '{}'), layers: [] });
  const signed = `${payload.slice(0, -2)},\n   "signatures": []\n}`;
  const byBytes = await w.blob('application/vnd.docker.distribution.manifest.v1+prettyjws', signed);
  await mkdir(join(dir, 'app', 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'app', 'blobs', 'sha256', payloadDigest.slice('sha256:'.length)), signed);
  const byPayload = { ...byBytes, digest: payloadDigest };
  await w.writeIndex([tagged(modern, 'v1.0.0'), tagged(byPayload, 'v0.8.0'), tagged(byBytes, OLD)]);
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [${target.host}/layout]
${registriesYaml([target])}images:
  - source: oci:${join(dir, 'app')}
`);
  const sync = await runCli(['sync', '-c', config, '--no-progress'], { timeoutMs: 120_000 });
  assert.equal(sync.exitCode, 1, sync.stdout + sync.stderr);
  for (const tag of ['v0.8.0', OLD]) {
    assert.match(sync.stderr, new RegExp(`app:${tag.replace(/\./g, '\\.')} → .*failed — source: oci:.*app:${tag.replace(/\./g, '\\.')} is a Docker schema 1 manifest \\(application/vnd\\.docker\\.distribution\\.manifest\\.v1\\+prettyjws\\)`), sync.stderr);
  }
  assert.doesNotMatch(sync.stderr, /digest mismatch|"unknown"/);
  assert.equal(await skopeoDigest(`${target.host}/layout/app:v1.0.0`), modern.digest);
});
