// Issue 3's core loop end to end: the real CLI against real registries (htpasswd and token auth),
// skopeo as the second opinion, drift made by hand and named by verify.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRegistry, bearerFor, type RunningRegistry } from '../../harness/registry.js';
import { deleteManifest, getManifestDigest, listTags, retag, seedImage, type PushTarget, type SeededImage } from '../../harness/seed.js';
import { skopeoCopyAll, skopeoDigest, skopeoRawManifest } from '../../harness/skopeo.js';
import { createHash } from 'node:crypto';
import { runCli, writeConfig } from '../../harness/cli.js';
import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy.js';
import type { VerifyReport } from '../../../src/report/model.js';
import { scratchDir } from '../../harness/scratch.js';

let quay: RunningRegistry; // htpasswd: source jetstack/ and target cert-manager/ on one registry
let ghcr: RunningRegistry; // token auth, like ghcr.io
let dir: string;
let config: string;
const seeded = new Map<string, SeededImage>();
const env = (): Record<string, string> => ({
  QUAY_USER: 'admin',
  QUAY_TOKEN: quay.users.admin!,
  GH_USER: 'admin',
  GH_TOKEN: ghcr.users.admin!,
});
const quayPush = (): PushTarget => ({ url: quay.url, auth: { username: 'admin', password: quay.users.admin! } });
const ghcrPush = (): PushTarget => ({ url: ghcr.url, auth: (scope) => bearerFor(ghcr, scope) });
const creds = (r: RunningRegistry) => ({ creds: `admin:${r.users.admin}` });

before(async () => {
  // Both over TLS (issue 9), trusted through the test CA given as caFile; the token server stays plain HTTP.
  [quay, ghcr] = await Promise.all([startRegistry({ auth: 'htpasswd', tls: true }), startRegistry({ auth: 'token', tls: true })]);
  dir = await scratchDir('core');
  const images = await Promise.all([
    seedImage(quayPush(), { repository: 'jetstack/cert-manager-controller', tags: ['v1.14.0', 'v1.14.1'], format: 'docker', signature: true, attestation: true, sharedBaseBytes: 4096, baseSeed: 'distroless' }),
    seedImage(quayPush(), { repository: 'jetstack/cert-manager-webhook', tags: ['v1.14.0', 'v1.14.1'], format: 'oci', signature: true, sbom: true, ociReferrer: true, sharedBaseBytes: 4096, baseSeed: 'distroless' }),
    seedImage(quayPush(), { repository: 'jetstack/charts/cert-manager', tags: ['v1.14.0', '1.14.0'], format: 'oci', single: true, sameImageForAllTags: true }),
  ]);
  for (const list of images) for (const img of list) seeded.set(`${img.tag}@${img.digest}`, img);
  // A floating tag, as registries carry next to releases.
  await retag(quayPush(), 'jetstack/cert-manager-controller', 'v1.14.1', 'latest');
  config = await writeConfig(
    dir,
    `version: 1
defaults:
  targets: [${quay.host}/cert-manager, ${ghcr.host}/cert-manager]
registries:
  ${quay.host}:
    credentials: { usernameEnv: QUAY_USER, passwordEnv: QUAY_TOKEN }
    caFile: ${quay.caFile}
  ${ghcr.host}:
    credentials: { usernameEnv: GH_USER, passwordEnv: GH_TOKEN }
    caFile: ${ghcr.caFile}
images:
  - source: ${quay.host}/jetstack/cert-manager-controller
  - source: ${quay.host}/jetstack/cert-manager-webhook
  - source: ${quay.host}/jetstack/charts/cert-manager
    targets: [${quay.host}/cert-manager/charts, ${ghcr.host}/cert-manager/charts]
`,
  );
});

after(async () => {
  await Promise.all([quay?.stop(), ghcr?.stop()]);
});

const repos = [
  ['jetstack/cert-manager-controller', 'cert-manager/cert-manager-controller'],
  ['jetstack/cert-manager-webhook', 'cert-manager/cert-manager-webhook'],
  ['jetstack/charts/cert-manager', 'cert-manager/charts/cert-manager'],
] as const;

/** The digest skopeo reads (raw bytes: `--format {{.Digest}}` refuses artifacts like signatures). */
async function rawDigest(ref: string, auth: { creds: string }): Promise<string> {
  return `sha256:${createHash('sha256').update(await skopeoRawManifest(ref, auth)).digest('hex')}`;
}

function secretsIn(text: string): string[] {
  return [quay.users.admin!, ghcr.users.admin!, Buffer.from(`admin:${quay.users.admin}`).toString('base64')].filter((s) => text.includes(s));
}

test('sync copies every tag, platform and signature to both targets; skopeo agrees byte for byte', async () => {
  const run = await runCli(['sync', '-c', config, '--report', join(dir, 'sync.json')], { env: env() });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.deepEqual(secretsIn(run.stdout + run.stderr), []);
  for (const [source, target] of repos) {
    const sourceTags = await listTags(quayPush(), source);
    assert.ok(sourceTags.length >= 2);
    for (const tag of sourceTags) {
      const want = await rawDigest(`docker://${quay.host}/${source}:${tag}`, creds(quay));
      assert.equal(await rawDigest(`docker://${quay.host}/${target}:${tag}`, creds(quay)), want, `${quay.host}/${target}:${tag}`);
      assert.equal(await rawDigest(`docker://${ghcr.host}/${target}:${tag}`, creds(ghcr)), want, `${ghcr.host}/${target}:${tag}`);
      if (!tag.startsWith('sha256-')) assert.equal(await skopeoDigest(`docker://${ghcr.host}/${target}:${tag}`, creds(ghcr)), want);
    }
  }
  // A whole multi-arch pull from the token-auth target works.
  await skopeoCopyAll(`docker://${ghcr.host}/cert-manager/cert-manager-controller:v1.14.1`, `dir:${join(dir, 'pulled')}`, { src: creds(ghcr) });
  const report = JSON.parse(await readFile(join(dir, 'sync.json'), 'utf8')) as { summary: { copied: number; failed: number } };
  assert.equal(report.summary.failed, 0);
  assert.ok(report.summary.copied >= 12);
});

test('a second sync writes nothing: no PUT, POST or PATCH reaches either target', async () => {
  const proxies: FaultProxy[] = await Promise.all([startFaultProxy(quay.url, { upstreamCa: quay.caFile }), startFaultProxy(ghcr.url, { upstreamCa: ghcr.caFile })]);
  try {
    const run = await runCli(['sync', '-c', config, '--endpoint', `${quay.host}=${proxies[0]!.url}`, '--endpoint', `${ghcr.host}=${proxies[1]!.url}`], { env: env() });
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    for (const p of proxies) {
      assert.ok(p.stats.requests > 0, 'requests went through the proxy');
      const writes = p.stats.log.filter((e) => !['GET', 'HEAD'].includes(e.method));
      assert.deepEqual(writes, []);
    }
  } finally {
    await Promise.all(proxies.map((p) => p.close()));
  }
});

test('verify: in sync, then names each kind of hand-made drift; sync leaves a conflict alone until --force', async () => {
  const clean = await runCli(['verify', '-c', config, '--format', 'json', '-o', join(dir, 'clean.json')], { env: env() });
  assert.equal(clean.exitCode, 0, clean.stderr + clean.stdout);
  const cleanReport = JSON.parse(await readFile(join(dir, 'clean.json'), 'utf8')) as VerifyReport;
  assert.equal(cleanReport.summary.drift, 0);
  assert.equal(cleanReport.summary.errors, 0);
  assert.equal(cleanReport.summary.repositories, 3);
  assert.ok(cleanReport.summary.inSync >= 14);

  const controller = 'cert-manager/cert-manager-controller';
  const webhook = 'cert-manager/cert-manager-webhook';
  // mismatch: v1.14.0 at ghcr retargeted to v1.14.1's image.
  await retag(ghcrPush(), controller, 'v1.14.1', 'v1.14.0');
  // extra: a tag only the quay target has.
  await retag(quayPush(), controller, 'v1.14.1', 'v1.99.0');
  // missing: webhook v1.14.1 deleted at ghcr.
  await deleteManifest(ghcrPush(), webhook, 'v1.14.1');
  // missing-referrers: the signature of webhook v1.14.0 deleted at the quay target.
  const webhookV0 = await getManifestDigest(quayPush(), 'jetstack/cert-manager-webhook', 'v1.14.0');
  await deleteManifest(quayPush(), webhook, `${webhookV0!.replace(':', '-')}.sig`);

  const drift = await runCli(['verify', '-c', config, '--format', 'json'], { env: env() });
  assert.equal(drift.exitCode, 1, drift.stderr);
  const report = JSON.parse(drift.stdout) as VerifyReport;
  const status = (source: string, tag: string, target: string) =>
    report.results.find((r) => r.source.endsWith(source) && r.tag === tag)?.targets.find((t) => t.repository === target)?.status;
  assert.equal(status('cert-manager-controller', 'v1.14.0', `${ghcr.host}/${controller}`), 'mismatch');
  assert.equal(status('cert-manager-controller', 'v1.99.0', `${quay.host}/${controller}`), 'extra');
  assert.equal(status('cert-manager-webhook', 'v1.14.1', `${ghcr.host}/${webhook}`), 'missing');
  assert.equal(status('cert-manager-webhook', 'v1.14.0', `${quay.host}/${webhook}`), 'missing-referrers');
  assert.equal(status('cert-manager-controller', 'v1.14.1', `${ghcr.host}/${controller}`), 'in-sync');
  const extraRow = report.results.find((r) => r.tag === 'v1.99.0');
  assert.equal(extraRow?.sourceDigest, null);
  assert.equal(report.summary.drift, 4);
  const table = await runCli(['verify', '-c', config], { env: env() });
  assert.equal(table.exitCode, 1);
  assert.match(table.stdout, /mismatch/);

  const conflicted = await runCli(['sync', '-c', config], { env: env() });
  assert.equal(conflicted.exitCode, 1, 'a retargeted tag is a conflict');
  assert.match(conflicted.stdout, /conflict/);
  assert.equal(await getManifestDigest(ghcrPush(), controller, 'v1.14.0'), await getManifestDigest(ghcrPush(), controller, 'v1.14.1'), 'left alone');
  // The missing tag and signature came back meanwhile.
  assert.ok(await getManifestDigest(ghcrPush(), webhook, 'v1.14.1'));
  assert.ok(await getManifestDigest(quayPush(), webhook, `${webhookV0!.replace(':', '-')}.sig`));

  const forced = await runCli(['sync', '-c', config, '--force'], { env: env() });
  assert.equal(forced.exitCode, 0, forced.stderr + forced.stdout);
  assert.equal(
    await skopeoDigest(`docker://${ghcr.host}/${controller}:v1.14.0`, creds(ghcr)),
    await skopeoDigest(`docker://${quay.host}/jetstack/cert-manager-controller:v1.14.0`, creds(quay)),
  );
  const last = await runCli(['verify', '-c', config, '--format', 'json'], { env: env() });
  const lastReport = JSON.parse(last.stdout) as VerifyReport;
  assert.equal(lastReport.summary.drift, 1, 'only the extra tag is left (sync never deletes)');
  assert.equal(last.exitCode, 1);
});
