// `regmirror publish`'s progress lines in CI, while a target holds one artifact's manifest PUT
// (a real TLS registry behind a proxy that delays it): they count binaries out of the release's
// total, where they read 'published 0 (image, tag) · 39.8 MiB · 19.9 MiB/s' (publish2 hunt: a
// 250 MiB cmctl release into a registry restarted mid-upload), no total and no ETA, naming images.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { stageTwoBinaries, twoBinariesYaml } from './two-binaries.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';


let reg: RunningRegistry;
let proxy: FaultProxy;
let dir: string;

before(async () => {
  reg = await startRegistry({ tls: true });
  proxy = await proxyFor(reg);
  dir = await scratchDir('publish-progress');
  await stageTwoBinaries(dir);
});

after(async () => {
  await proxy?.close();
  if (reg) await destroyRegistry(reg);
});

test('progress lines count (binary, tag) items out of the release\'s total', async () => {
  const cfg = await writeConfig(dir, `version: 1
defaults:
  targets: [${reg.host}/cert-manager]
${registriesYaml([reg])}${twoBinariesYaml(dir)}`);
  proxy.inject({ method: 'PUT', path: /\/cmctl\/manifests\/v1\.2\.3$/, fault: { kind: 'delay', ms: 3000 } });
  const r = await runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', join(dir, 'dist'), '--endpoint', `${reg.host}=${proxy.url}`, '--progress-interval', '1'], { env: { CI: 'true' } });
  assert.equal(r.exitCode, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('published '));
  assert.ok(lines.length > 0, r.stderr);
  for (const line of lines) assert.match(line, /^published [0-2]\/2 \(binary, tag\)/, r.stderr);
  assert.ok(lines.some((l) => /^published 1\/2 \(binary, tag\) .*ETA /.test(l)), `a line with one of two done and an ETA: ${JSON.stringify(lines)}`);
  const digest = await skopeoDigestVerified(`${reg.host}/cert-manager/cmctl:v1.2.3`, reg.certDir!);
  assert.ok(r.stdout.includes(digest.slice(0, 15)), `the row's source digest is what skopeo reads (${digest}): ${r.stdout}`);
});

test('a release file whose whole PUT ghcr refuses (over 4 MiB) is counted once, not once per read', { timeout: 120_000 }, async () => {
  // loose2: a 153 MiB binary into ghcr showed 273 MiB; the refused PUT's bytes were read again in chunks and counted again.
  const { ghcrUploads } = await import('../../harness/personalities/ghcr-uploads.js');
  const { randomBytes } = await import('node:crypto');
  const { mkdir, writeFile } = await import('node:fs/promises');
  const g = ghcrUploads();
  const ghcr = await proxyFor(reg, { personalities: [g.personality] });
  try {
    const root = join(dir, 'big');
    await mkdir(join(root, 'dist'), { recursive: true });
    await writeFile(join(root, 'dist', 'big-linux-amd64.tar.gz'), randomBytes(12 * 1024 * 1024));
    const cfg = await writeConfig(root, `version: 1
defaults:
  targets: [${reg.host}/cert-manager]
${registriesYaml([reg])}binaries:
  - name: big
    artifactType: application/vnd.example.big.v1
    files: ["big-*.tar.gz"]
`);
    ghcr.inject({ method: 'PUT', path: /\/big\/manifests\/v1\.2\.3$/, fault: { kind: 'delay', ms: 3000 } });
    const r = await runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', join(root, 'dist'), '--endpoint', `${reg.host}=${ghcr.url}`, '--progress-interval', '1'], { env: { CI: 'true' } });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(g.stats.refused.PUT > 0, 'the whole PUT was refused');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('published '));
    const mib = lines.map((l) => / · ([\d.]+) MiB of 12\.0 MiB · /.exec(l)?.[1]).filter((m): m is string => m !== undefined).map(Number);
    // publish3: the release's bytes are known once its files are checked, so each line says how many of them (it said '5.0 MiB' alone).
    assert.ok(lines.filter((l) => / · [\d.]+ [KMG]?i?B · /.test(l)).every((l) => / of 12\.0 MiB · /.test(l)), `every line with bytes gives the total: ${JSON.stringify(lines)}`);
    assert.ok(mib.length > 0 && mib.every((m) => m <= 12.1), `no more than the file's 12 MiB: ${JSON.stringify(lines)}`);
    assert.ok(mib.some((m) => m >= 12), `the whole file once it landed: ${JSON.stringify(lines)}`);
    await skopeoDigestVerified(`${reg.host}/cert-manager/big:v1.2.3`, reg.certDir!);
  } finally {
    await ghcr.close();
  }
});

test('every upload cut (ghcr: chunks of 4 MiB, each cut): the row names the release file that was not uploaded, and its size', { timeout: 120_000 }, async () => {
  const { randomBytes } = await import('node:crypto');
  const { mkdir, writeFile } = await import('node:fs/promises');
  const root = join(dir, 'cut');
  await mkdir(join(root, 'dist'), { recursive: true });
  await writeFile(join(root, 'dist', 'cut-linux-amd64.tar.gz'), randomBytes(6 * 1024 * 1024));
  const cfg = await writeConfig(root, `version: 1
defaults:
  targets: [${reg.host}/cut]
${registriesYaml([reg])}binaries:
  - name: cut
    artifactType: application/vnd.example.cut.v1
    files: ["cut-*.tar.gz"]
`);
  const { ghcrUploads } = await import('../../harness/personalities/ghcr-uploads.js');
  const ghcr = await proxyFor(reg, { personalities: [ghcrUploads().personality] });
  for (const method of ['PUT', 'PATCH']) ghcr.inject({ method, path: /\/blobs\/uploads\//, times: Infinity, fault: { kind: 'cutRequest', afterBytes: 1 } });
  try {
    const r = await runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', join(root, 'dist'), '--endpoint', `${reg.host}=${ghcr.url}`, '--no-progress'], { env: { CI: 'true' } });
    assert.equal(r.exitCode, 1, r.stderr + r.stdout);
    // It named the 2-byte empty config, the first to fail: 'blob sha256:44136fa… (2 B) not uploaded, tried 5 times'.
    const row = r.stderr.split('\n').find((l) => l.startsWith('cut:v1.2.3 → ')) ?? '';
    assert.match(row, /: failed — destination \S+\/cut\/cut: cut-linux-amd64\.tar\.gz \(6\.0 MiB, blob sha256:[a-f0-9]{64}\) not uploaded, tried \d+ times; the last time: /, r.stderr);
  } finally {
    await ghcr.close();
  }
});
