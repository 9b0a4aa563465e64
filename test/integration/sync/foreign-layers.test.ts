// Windows images (foreign / non-distributable layers, their bytes at `urls`): sync leaves the
// foreign layer where it is and copies the manifest byte for byte, as skopeo, crane and regsync
// do; verify --deep does not demand it; a target that does not allow the URLs fails that tag with
// a line that says so. Real TLS distribution registries; the foreign layer on a plain-HTTP host.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type PushTarget } from '../../harness/seed.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { startFaultProxy } from '../../harness/fault-proxy.js';
import { scratchDir } from '../../harness/scratch.js';
import { pushUrlsImage, pushWindowsImage, startForeignHost, type ForeignHost, type WindowsImage } from '../../harness/windows-image.js';
import type { SyncReport, VerifyReport } from '../../../src/report/model.js';

const ALLOW_LOOPBACK = ['^http://127\\.0\\.0\\.1:'];
let src: RunningRegistry;
let a: RunningRegistry;
let b: RunningRegistry;
let strict: RunningRegistry; // distribution's default: no foreign URL allowed
let host: ForeignHost;
let dir: string;
const images: WindowsImage[] = [];
const push = (r: RunningRegistry): PushTarget => ({ url: r.url });

before(async () => {
  [src, a, b, strict] = await Promise.all([
    startRegistry({ tls: true, manifestUrlsAllow: ALLOW_LOOPBACK }),
    startRegistry({ tls: true, manifestUrlsAllow: ALLOW_LOOPBACK }),
    startRegistry({ tls: true, manifestUrlsAllow: ALLOW_LOOPBACK }),
    startRegistry({ tls: true }),
  ]);
  host = await startForeignHost();
  dir = await scratchDir('foreign');
  images.push(await pushWindowsImage(push(src), host, 'windows/servercore', 'ltsc2022', 'docker'));
  images.push(await pushWindowsImage(push(src), host, 'windows/servercore', '1.0.0-oci', 'oci'));
  images.push(await pushUrlsImage(push(src), host, 'windows/servercore', '1.0.0-urls'));
  await seedImage(push(src), { repository: 'windows/servercore', tags: ['v1.0.0'], format: 'docker', single: true });
});

after(async () => {
  await Promise.all([src?.stop(), a?.stop(), b?.stop(), strict?.stop(), host?.close()]);
});

function config(targets: string[], name: string): Promise<string> {
  const regs = [src, a, b, strict].map((r) => `  ${r.host}:\n    caFile: ${r.caFile}\n`).join('');
  return writeConfig(dir, `version: 1\ndefaults:\n  targets: [${targets.join(', ')}]\nregistries:\n${regs}images:\n  - source: ${src.host}/windows/servercore\n`, name);
}

async function rawDigest(ref: string): Promise<string> {
  return `sha256:${createHash('sha256').update(await skopeoRawManifest(ref)).digest('hex')}`;
}

async function blobAt(r: RunningRegistry, repository: string, digest: string): Promise<number> {
  return (await fetch(`${r.url}/v2/${repository}/blobs/${digest}`, { method: 'HEAD' })).status;
}

test('sync to two targets leaves the foreign layers at their URLs; skopeo reads the same digests; verify --deep agrees; a second sync writes nothing', async () => {
  const cfg = await config([`${a.host}/mirror`, `${b.host}/mirror`], 'two.yaml');
  const run = await runCli(['sync', '-c', cfg, '-v', '--report', join(dir, 'two.json')], {});
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.match(run.stdout + run.stderr, /servercore:ltsc2022 → [^\n]*copied \([^\n]*1 foreign layer left at its URLs\)/);
  const report = JSON.parse(await readFile(join(dir, 'two.json'), 'utf8')) as SyncReport;
  for (const r of report.results) for (const t of r.targets) assert.equal(t.blobs.foreign ?? 0, r.tag === 'v1.0.0' ? 0 : 1, `${r.tag} → ${t.repository}`);
  for (const target of [a, b]) {
    for (const image of images) {
      const want = await rawDigest(`docker://${src.host}/windows/servercore:${image.tag}`);
      assert.equal(want, image.digest);
      assert.equal(await rawDigest(`docker://${target.host}/mirror/servercore:${image.tag}`), want, `${target.host} ${image.tag}`);
      for (const child of image.childDigests) assert.equal(await rawDigest(`docker://${target.host}/mirror/servercore@${child}`), child);
      for (const blob of image.blobDigests) assert.equal(await blobAt(target, 'mirror/servercore', blob), 200, blob);
      for (const blob of image.foreignDigests) assert.equal(await blobAt(target, 'mirror/servercore', blob), 404, `foreign ${blob} is not uploaded`);
    }
  }
  assert.deepEqual(host.requests, [], 'the foreign layer was never read, from the source nor from its URL');

  const verify = await runCli(['verify', '-c', cfg, '--deep', '--format', 'json'], {});
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
  const audit = JSON.parse(verify.stdout) as VerifyReport;
  assert.equal(audit.summary.drift, 0);
  assert.equal(audit.summary.inSync, 8);

  const proxies = await Promise.all([startFaultProxy(a.url, { upstreamCa: a.caFile }), startFaultProxy(b.url, { upstreamCa: b.caFile })]);
  try {
    const again = await runCli(['sync', '-c', cfg, '--endpoint', `${a.host}=${proxies[0]!.url}`, '--endpoint', `${b.host}=${proxies[1]!.url}`], {});
    assert.equal(again.exitCode, 0, again.stderr + again.stdout);
    for (const p of proxies) assert.deepEqual(p.stats.log.filter((e) => !['GET', 'HEAD'].includes(e.method)), []);
  } finally {
    await Promise.all(proxies.map((p) => p.close()));
  }
});

test('a target that does not allow the foreign URLs fails those tags with a line naming the registry, the layer and its allow list, after one PUT; the other tags are copied', async () => {
  const cfg = await config([`${a.host}/refused`, `${strict.host}/refused`], 'strict.yaml');
  const proxy = await startFaultProxy(strict.url, { upstreamCa: strict.caFile });
  const run = await runCli(['sync', '-c', cfg, '--report', join(dir, 'strict.json'), '--endpoint', `${strict.host}=${proxy.url}`], {}).finally(() => proxy.close());
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  // One refused PUT per manifest with foreign layers (the Docker list's image, the two OCI images): its 500 is not retried.
  assert.deepEqual(proxy.stats.log.filter((e) => e.method === 'PUT' && e.path.includes('/manifests/')).map((e) => e.status).sort(), [201, 500, 500, 500]);
  const report = JSON.parse(await readFile(join(dir, 'strict.json'), 'utf8')) as SyncReport;
  const row = (tag: string, r: RunningRegistry) => report.results.find((x) => x.tag === tag)?.targets.find((t) => t.repository.startsWith(r.host));
  for (const image of images) {
    assert.equal(row(image.tag, a)?.action, 'copied', image.tag);
    const refused = row(image.tag, strict);
    assert.equal(refused?.action, 'failed', image.tag);
    assert.match(refused!.detail, new RegExp(`${strict.host} refused manifest refused/servercore:\\S+ for its foreign layer ${image.foreignDigests[0]}`));
    assert.match(refused!.detail, /validation\.manifests\.urls\.allow/);
  }
  assert.equal(row('v1.0.0', strict)?.action, 'copied');
  assert.equal(await rawDigest(`docker://${strict.host}/refused/servercore:v1.0.0`), await rawDigest(`docker://${src.host}/windows/servercore:v1.0.0`));
});

test('an OCI layout target holds no foreign blob, as skopeo writes none into its own layout', async () => {
  const cfg = await config([`oci:${join(dir, 'layout')}`], 'layout.yaml');
  const run = await runCli(['sync', '-c', cfg], {});
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  const layout = join(dir, 'layout', 'servercore');
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  for (const image of images) assert.equal(index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === image.tag)?.digest, image.digest);
  // skopeo 1.9 reads OCI types only from a layout: the OCI image is its to compare.
  const oci = images.find((i) => i.tag === '1.0.0-oci')!;
  assert.equal(`sha256:${createHash('sha256').update(await skopeoRawManifest(`oci:${layout}:${oci.tag}`)).digest('hex')}`, oci.digest);
  const theirs = join(dir, 'skopeo-layout');
  await execa('skopeo', ['copy', '--preserve-digests', '--src-cert-dir', src.certDir!, `docker://${src.host}/windows/servercore:${oci.tag}`, `oci:${theirs}:${oci.tag}`]);
  const ours = await readdir(join(layout, 'blobs', 'sha256'));
  const skopeos = await readdir(join(theirs, 'blobs', 'sha256'));
  for (const blob of images.flatMap((i) => i.blobDigests)) assert.ok(ours.includes(blob.slice('sha256:'.length)), blob);
  for (const image of images) {
    for (const foreign of image.foreignDigests) assert.ok(!ours.includes(foreign.slice('sha256:'.length)), `regmirror wrote no foreign blob (${image.tag})`);
  }
  assert.ok(!skopeos.includes(oci.foreignDigests[0]!.slice('sha256:'.length)), 'nor did skopeo');
  assert.ok(skopeos.includes(oci.blobDigests[1]!.slice('sha256:'.length)), 'skopeo wrote the ordinary layer');
  const verify = await runCli(['verify', '-c', cfg, '--deep'], {});
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
});

test('engine skopeo gives the same targets: manifests byte for byte, no foreign blob uploaded', async () => {
  const cfg = await config([`${b.host}/skopeo`], 'skopeo.yaml');
  const run = await runCli(['sync', '-c', cfg, '--engine', 'skopeo'], {});
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  for (const image of images) {
    assert.equal(await rawDigest(`docker://${b.host}/skopeo/servercore:${image.tag}`), image.digest);
    for (const blob of image.foreignDigests) assert.equal(await blobAt(b, 'skopeo/servercore', blob), 404);
  }
  const verify = await runCli(['verify', '-c', cfg, '--deep'], {});
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
});

test('engine skopeo at a target that does not allow the foreign URLs: the same advice, not only "500 Internal Server Error"', async () => {
  const cfg = await config([`${strict.host}/skopeo`], 'strict-skopeo.yaml');
  const run = await runCli(['sync', '-c', cfg, '--engine', 'skopeo', '--report', join(dir, 'strict-skopeo.json')], {});
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  const report = JSON.parse(await readFile(join(dir, 'strict-skopeo.json'), 'utf8')) as SyncReport;
  for (const image of images) {
    const row = report.results.find((x) => x.tag === image.tag)?.targets[0];
    assert.equal(row?.action, 'failed', image.tag);
    assert.match(row!.detail, new RegExp(`${strict.host} refused a manifest of this image \\(skopeo: .*500.*\\); the image has 1 foreign layer \\(${image.foreignDigests[0]}, at http://127`));
    assert.match(row!.detail, /validation\.manifests\.urls\.allow/);
  }
  assert.equal(report.results.find((x) => x.tag === 'v1.0.0')?.targets[0]?.action, 'copied');
});
