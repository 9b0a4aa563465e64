// A target tag an old mirror left at Docker schema 1 (pushed years ago, by a tool that converted):
// the registry names it by its payload's digest and signs it anew on each GET, so its bytes never
// hash to that digest. regmirror read it to learn the digest and failed every time ("digest
// mismatch", then a plan row "failed", verify "error" exit 3, and even sync --force could not
// replace it). Its digest is the one the registry says, as skopeo inspect reports: the tag is a
// conflict, a verify mismatch, and --force retargets it. A real TLS registry behind a personality.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FaultProxy, Personality } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { oneMirrorYaml, proxyFor } from '../../harness/tls-bed.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';
import { schemaOneManifest, serveSchemaOne } from '../../harness/schema1.js';

const old = schemaOneManifest('mirror/app', 'v1.0.0');
const oldDigest = old.digest;

// Serves mirror/app:v1.0.0 as a stored schema 1 manifest until a PUT of that tag replaces it.
function staleSchemaOne(): Personality {
  let replaced = false;
  return (ex) => {
    if (replaced) return false;
    if (/\/mirror\/app\/tags\/list(\?|$)/.test(ex.path)) {
      const list = JSON.stringify({ name: 'mirror/app', tags: ['v1.0.0'] });
      ex.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(list) }).end(list);
      return true;
    }
    if (!ex.path.endsWith('/mirror/app/manifests/v1.0.0')) return false;
    if (ex.method === 'PUT') {
      replaced = true;
      return false;
    }
    return serveSchemaOne(ex, old);
  };
}

let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let images: SeededImage[];

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 1, seed: 'modern' });
  proxy = await proxyFor(target, { personalities: [staleSchemaOne()] });
});

after(async () => {
  await proxy?.close();
  await Promise.all([source, target].filter(Boolean).map(destroyRegistry));
});

test('a target tag left at schema 1 is a conflict and a mismatch by the digest the registry says, and --force retargets it', async () => {
  const config = await writeConfig(await scratchDir('schema1-target'), oneMirrorYaml(source, { host: proxy.host, caFile: target.caFile }, 'jetstack/app'));
  const digest = images[0]!.digest;
  const verify = await runCli(['verify', '-c', config, '--no-progress', '--format', 'json'], { timeoutMs: 120_000 });
  assert.equal(verify.exitCode, 1, verify.stdout + verify.stderr);
  const row = (JSON.parse(verify.stdout) as { results: { targets: { status: string; digest: string }[] }[] }).results[0]!.targets[0]!;
  assert.deepEqual([row.status, row.digest], ['mismatch', oldDigest]);
  const sync = await runCli(['sync', '-c', config, '--no-progress'], { timeoutMs: 120_000 });
  assert.equal(sync.exitCode, 1, sync.stdout + sync.stderr);
  assert.match(sync.stderr, new RegExp(`v1\\.0\\.0 → ${proxy.host}/mirror/app: conflict — target tag points at ${oldDigest}; source has ${digest}`));
  const forced = await runCli(['sync', '-c', config, '--no-progress', '--force'], { timeoutMs: 120_000 });
  assert.equal(forced.exitCode, 0, forced.stdout + forced.stderr);
  assert.match(forced.stderr, /v1\.0\.0 → .*: forced/);
  assert.equal(await skopeoDigest(`${target.host}/mirror/app:v1.0.0`), digest);
  const again = await runCli(['verify', '-c', config, '--no-progress'], { timeoutMs: 120_000 });
  assert.equal(again.exitCode, 0, again.stdout + again.stderr);
});
