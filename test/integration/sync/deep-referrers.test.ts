// `verify --deep` proved every child manifest and blob of an image at a target, but not those of
// its signatures, attestations and OCI referrers: a target whose `.sig` tag is in place but whose
// signature layer was deleted (a registry's garbage collection, DELETE /v2/<repo>/blobs/<digest>)
// read in-sync, and `sync --deep` left it so, though cosign verification at that mirror then
// fails (refdeep). --deep now walks each referrer's graph too: verify names the referrer and the
// absent part, sync copies the missing parts without writing the referrer tag again, and skopeo,
// copying each referrer from the target, judges the repair.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { RunningRegistry } from '../../harness/registry.js';
import { deleteBlob, deleteManifest, getManifest, retag, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { deepBed, type DeepBed } from './deep-bed.js';
import { skopeoCopyAll, skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli } from '../../harness/cli.js';
import type { SyncReport, VerifyReport } from '../../../src/report/model.js';

let bed: DeepBed;
let dst: RunningRegistry;
let proxy: FaultProxy;
let image: SeededImage;
let dir: string;

before(async () => {
  bed = await deepBed('deep-referrers', { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2, signature: true, attestation: true, ociReferrer: true }, 'cm', { referrers: true });
  ({ dst, proxy, image, dir } = bed);
});

after(() => bed?.close());

const run = (args: string[]) => bed.run(args);
const layerOf = async (ref: string) => (JSON.parse((await getManifest({ url: dst.url }, 'cm/app', ref))!.bytes.toString('utf8')) as { layers: { digest: string }[] }).layers[0]!.digest;
const writes = () => proxy.stats.log.filter((e) => e.method === 'PUT' || e.method === 'PATCH' || (e.method === 'POST' && !e.path.includes('mount=')));

test('verify --deep names a referrer whose blob or manifest is gone; sync --deep refills it without writing its tag', { timeout: 180_000 }, async () => {
  const tags = Object.keys(image.referrerTags);
  const sig = tags.find((t) => t.endsWith('.sig'))!;
  const att = tags.find((t) => t.endsWith('.att'))!;
  const fallback = tags.find((t) => !t.includes('.'))!;
  const sigLayer = await layerOf(sig);
  const attLayer = await layerOf(att);
  await deleteBlob({ url: dst.url }, 'cm/app', sigLayer);
  await deleteBlob({ url: dst.url }, 'cm/app', attLayer);
  // The OCI 1.1 artifact itself goes; its fallback tag (an index listing it) stays.
  await deleteManifest({ url: dst.url }, 'cm/app', image.referrerDigests[0]!);

  const before = await run(['verify', '--deep']);
  assert.equal(before.exitCode, 1, before.stdout);
  const row = (JSON.parse(before.stdout) as VerifyReport).results[0]!.targets[0]!;
  assert.equal(row.status, 'missing-referrers');
  assert.match(row.detail, new RegExp(`${sig}: absent at the target: blob ${sigLayer}`));
  assert.match(row.detail, new RegExp(`${att}: absent at the target: blob ${attLayer}`));
  assert.match(row.detail, new RegExp(`${fallback}: absent at the target: manifest ${image.referrerDigests[0]}`));
  // A plain sync leaves such parts out (it skips a referrer tag in place): the advice names --deep only.
  const table = await runCli(['verify', '--deep', '-c', bed.config, '--no-progress']);
  assert.match(table.stdout, /next: a signature, attestation, SBOM or referrer whose parts are absent \(verify --deep names them\) needs `regmirror sync --deep`\n/);
  const plain = await run(['verify']);
  assert.equal(plain.exitCode, 0, 'without --deep the referrer tags in place are enough');

  proxy.resetStats();
  const deep = await run(['sync', '--deep']);
  assert.equal(deep.exitCode, 0, deep.stderr);
  const synced = (JSON.parse(deep.stdout) as SyncReport).results[0]!.targets[0]!;
  assert.equal(synced.action, 'copied', synced.detail);
  assert.match(synced.detail, /3 signature\/attestation\/SBOM manifest\(s\) had missing parts copied/);
  const manifestPuts = writes().filter((e) => e.method === 'PUT' && e.path.includes('/manifests/'));
  assert.deepEqual(manifestPuts.map((e) => e.path.replace(/^.*\/manifests\//, '')), [image.referrerDigests[0]], 'only the missing artifact is written; never a referrer tag');

  const after = await run(['verify', '--deep']);
  assert.equal(after.exitCode, 0, after.stdout);
  // skopeo reads every blob of each referrer from the target (the artifact by digest: skopeo
  // copies no index of artifacts).
  for (const t of [`:${sig}`, `:${att}`, `@${image.referrerDigests[0]}`]) await skopeoCopyAll(`${dst.host}/cm/app${t}`, `oci:${join(dir, 'judge')}`, { preserveDigests: true });

  proxy.resetStats();
  const again = JSON.parse((await run(['sync', '--deep'])).stdout) as SyncReport;
  assert.equal(again.results[0]!.targets[0]!.action, 'skip');
  assert.deepEqual(writes().map((e) => `${e.method} ${e.path}`), [], 'a second sync --deep writes nothing');
});

test('sync --deep refills an image and its signature both incomplete, and counts the image\'s parts apart', { timeout: 180_000 }, async () => {
  const sig = Object.keys(image.referrerTags).find((t) => t.endsWith('.sig'))!;
  const sigLayer = await layerOf(sig);
  const imageLayer = await layerOf(image.childDigests[0]!);
  await deleteBlob({ url: dst.url }, 'cm/app', sigLayer);
  await deleteBlob({ url: dst.url }, 'cm/app', imageLayer);
  // The image's own drift is what the row says; its signature's is repaired alongside.
  const before = (JSON.parse((await run(['verify', '--deep'])).stdout) as VerifyReport).results[0]!.targets[0]!;
  assert.equal(before.status, 'incomplete');

  const deep = await run(['sync', '--deep']);
  assert.equal(deep.exitCode, 0, deep.stderr);
  const synced = (JSON.parse(deep.stdout) as SyncReport).results[0]!.targets[0]!;
  assert.match(synced.detail, /its missing parts copied \(1 blob\(s\), 0 manifest\(s\)\); 1 signature\/attestation\/SBOM manifest\(s\) had missing parts copied/);
  assert.equal(synced.blobs.copied, 2, 'the image layer and the signature layer');
  const after = await run(['verify', '--deep']);
  assert.equal(after.exitCode, 0, after.stdout);
  await skopeoCopyAll(`${dst.host}/cm/app:${sig}`, `oci:${join(dir, 'judge2')}`, { preserveDigests: true });
});

test('a signature tag retargeted at the target: verify --deep advises --force, sync --deep calls it a conflict, sync --force puts it back', { timeout: 180_000 }, async () => {
  const sig = Object.keys(image.referrerTags).find((t) => t.endsWith('.sig'))!;
  const att = Object.keys(image.referrerTags).find((t) => t.endsWith('.att'))!;
  await retag({ url: dst.url }, 'cm/app', att, sig);
  // A plain sync takes the tag in place as present (0 copied): the advice names only --force.
  const audit = await runCli(['verify', '--deep', '-c', bed.config, '--no-progress']);
  assert.equal(audit.exitCode, 1, audit.stdout);
  assert.match(audit.stdout, new RegExp(`${sig} differs \\(target ${image.referrerTags[att]}, source ${image.referrerTags[sig]}\\)`));
  assert.match(audit.stdout, /\nnext: a signature, attestation, SBOM or referrer tag that holds another digest at the target \(`… differs`\) needs `regmirror sync --force`, which retargets it \(a plain sync takes a referrer tag in place as present\)\n/);
  assert.equal((JSON.parse((await run(['sync'])).stdout) as SyncReport).results[0]!.targets[0]!.action, 'skip');
  const deep = await run(['sync', '--deep']);
  assert.equal(deep.exitCode, 1, deep.stderr);
  const row = (JSON.parse(deep.stdout) as SyncReport).results[0]!.targets[0]!;
  assert.equal(row.action, 'conflict');
  assert.match(row.detail, new RegExp(`referrer conflict: ${sig} points at sha256:\\w+, source has ${image.referrerTags[sig]} \\(use --force to retarget\\)`));
  // The plan of that repair tells a retarget from a copy: it said '1 signature/attestation/SBOM
  // manifest(s) to copy' and 'next: run `regmirror sync` to copy', as for a signature missing, though
  // a sync without --force holds the signature back as a conflict (verify5).
  const plan = await runCli(['sync', '--dry-run', '--force', '-c', bed.config, '--endpoint', `${dst.host}=${proxy.url}`, '--no-progress']);
  assert.equal(plan.exitCode, 0, plan.stderr + plan.stdout);
  assert.match(plan.stdout, /tag already in place; 1 signature\/attestation\/SBOM tag\(s\) to retarget \(another digest there\)\n/);
  assert.match(plan.stdout, /\nnext: run `regmirror sync` to copy, with the --force or --accept-moved this plan was made with: 1 copy retargets a tag that holds another digest at the target/);
  const forced = await run(['sync', '--force']);
  assert.equal(forced.exitCode, 0, forced.stderr);
  assert.match((JSON.parse(forced.stdout) as SyncReport).results[0]!.targets[0]!.detail, /1 signature\/attestation\/SBOM tag\(s\) retargeted \(another digest there\)/);
  const after = await run(['verify', '--deep']);
  assert.equal(after.exitCode, 0, after.stdout);
  assert.equal(await skopeoDigestVerified(`${dst.host}/cm/app:${sig}`, dst.certDir!), image.referrerTags[sig]);
});

