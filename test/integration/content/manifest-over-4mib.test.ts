// A manifest over 4 MiB (a layout's, where nothing checked its size): regmirror reads no more of
// a manifest, as oras and containerd, and distribution refuses one (400 MANIFEST_INVALID "http:
// request body too large"), so no rerun gets it through. Its row said 'manifest sha256:… is
// 4195727 bytes, over 4194304', and verify's advice 'fix what each one says (access, a registry
// down, …)', which left the user to find that the one thing to do is leave the tag out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, writeConfig } from '../../harness/cli.js';
import { LayoutWriter, tagged } from '../../harness/layout-writer.js';
import { destroyRegistry, startRegistry } from '../../harness/registry.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { seedImage } from '../../harness/seed.js';
import type { Personality } from '../../harness/fault-proxy.js';
import { scratchDir } from '../../harness/scratch.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

test('a manifest over 4 MiB fails its tag in a line that says why and what to do; the other tag travels', async (t) => {
  const registry = await startRegistry({ tls: true });
  t.after(() => destroyRegistry(registry));
  const dir = await scratchDir('manifest-over-4mib');
  const w = new LayoutWriter(join(dir, 'src', 'app'));
  const config = await w.blob('application/vnd.oci.image.config.v1+json', JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = await w.blob('application/vnd.oci.image.layer.v1.tar+gzip', 'layer');
  const small = await w.json({ schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer] });
  const big = await w.json({ schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer], annotations: { filler: 'x'.repeat(4 * 1024 * 1024) } });
  await w.writeIndex([tagged(small, 'v1.0.0'), tagged(big, 'v1.1.0')]);
  const cfg = await writeConfig(dir, `version: 1
defaults:
  targets: [${registry.host}/mirror]
${registriesYaml([registry])}images:
  - source: oci:${join(dir, 'src', 'app')}
`);
  const said = new RegExp(`manifest ${big.digest} is ${big.size} bytes, over 4 MiB \\(4194304 bytes\\), the most regmirror reads of a manifest, as oras and containerd: registries need take no more \\(distribution refuses it: 400 MANIFEST_INVALID "http: request body too large"\\), so leave the tag out \\(tags: exclude\\)`);
  const sync = await runCli(['sync', '-c', cfg, '--no-progress']);
  assert.equal(sync.exitCode, 1, sync.stdout + sync.stderr);
  const line = sync.stderr.split('\n').find((l) => l.includes(':v1.1.0 → '));
  assert.match(line ?? '', said, sync.stderr);
  assert.match(sync.stderr, /:v1\.0\.0 → .*: copied/);
  assert.equal(await skopeoDigestVerified(`${registry.host}/mirror/app:v1.0.0`, registry.certDir!), small.digest);
  const verify = await runCli(['verify', '-c', cfg, '--no-progress', '--format', 'json']);
  const row = (JSON.parse(verify.stdout) as { results: { tag: string; targets: { status: string; detail: string }[] }[] }).results.find((r) => r.tag === 'v1.1.0')!;
  assert.equal(row.targets[0]!.status, 'error');
  assert.match(row.targets[0]!.detail, said);
});

// A registry (or a proxy in front of one) that streams the manifest without Content-Length: the
// cap is met while reading, and the line said 'manifest HOST/app@v1.0.0 is larger than 4194304
// bytes', in its own words, where a manifest whose size is known says why and what to do.
test('a manifest streamed without Content-Length past 4 MiB fails its tag in the same words, without a size', async (t) => {
  const [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
  t.after(() => Promise.all([src, dst].map(destroyRegistry)));
  await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], single: true, format: 'oci' });
  const streamed: Personality = (ex) => {
    if (ex.method !== 'GET' || !/\/manifests\/v1\.0\.0$/.test(ex.path)) return false;
    ex.res.writeHead(200, { 'content-type': MANIFEST }); // no Content-Length: sent chunked
    ex.res.end(Buffer.alloc(5 * 1024 * 1024, ' '));
    return true;
  };
  const proxy = await proxyFor(src, { personalities: [streamed] });
  t.after(() => proxy.close());
  const cfg = await writeConfig(await scratchDir('manifest-streamed-over-4mib'), `version: 1
defaults:
  targets: [${dst.host}/mirror]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
`);
  const sync = await runCli(['sync', '-c', cfg, '--endpoint', `${src.host}=${proxy.url}`, '--no-progress']);
  assert.equal(sync.exitCode, 1, sync.stdout + sync.stderr);
  assert.match(sync.stderr, new RegExp(`manifest ${src.host}/jetstack/app@v1\\.0\\.0 is over 4 MiB \\(4194304 bytes\\), the most regmirror reads of a manifest, as oras and containerd: .*so leave the tag out \\(tags: exclude\\)`), sync.stderr);
});
