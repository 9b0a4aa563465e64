// One sync of a large blob to ECR, whose repository was never created (NAME_UNKNOWN on the
// upload's POST), and to another registry at once. The blob streams from one source read fanned
// out to both; ECR's upload fails before it reads a byte of its branch. That branch must be let
// go: left unread it filled up, held the shared read still, and the other registry's upload
// starved with it until the process ended with Node's exit 13 (no summary, no report). And the
// refusal is for good: the small blobs' uploads were each tried maxAttempts times (HEAD + POST).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { ecr } from '../../harness/personalities/ecr.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { seedImage } from '../../harness/seed.js';
import { scratchDir } from '../../harness/scratch.js';
import { MiB, open, seedLarge } from './fixtures.js';

let src: RunningRegistry;
let other: RunningRegistry;
let aws: RunningRegistry;
let pAws: FaultProxy;
let digests: Map<string, string>;
// cert-manager/cainjector never created, and its listing read as distribution answers it: ECR's own
// answer to that read fails the tags before any upload (sync/tag-target.ts), and this is about an upload
// refused while its source read is shared (a repository deleted after the run listed it).
const e = ecr({ repositories: ['cert-manager/controller'], answerAbsentReads: false });

before(async () => {
  [src, other, aws] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true }), startRegistry({ tls: true })]);
  pAws = await proxyFor(aws, { personalities: [e.personality] });
  // Over SMALL_BLOB_BYTES (streamed, fanned out) and over the fan-out's 1 MiB branch buffer.
  digests = await seedLarge(open(src), 'jetstack/cainjector', ['v1.0.0', 'v1.0.1'], 6 * MiB);
  // Copied first, it teaches the run that ECR ignores mounts: the cainjector blobs are then asked by HEAD.
  await seedImage(open(src), { repository: 'jetstack/controller', tags: ['v1.0.0'], format: 'oci', single: true });
});

after(async () => {
  await pAws?.close();
  await Promise.all([src, other, aws].map((r) => r && destroyRegistry(r)));
});

test('a large blob reaches the other registry when ECR refuses the repository before reading', { timeout: 120_000 }, async () => {
  const dir = await scratchDir('ecr-absent-fanout');
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [${aws.host}/cert-manager, ${other.host}/cert-manager]
${registriesYaml([src, other, aws])}images:
  - source: ${src.host}/jetstack/controller
  - source: ${src.host}/jetstack/cainjector
`);
  const run = await runCli(['sync', '-c', config, '--endpoint', `${aws.host}=${pAws.url}`, '--no-progress', '--concurrency', '1'], { timeoutMs: 90_000 });
  assert.equal(run.timedOut, false, 'sync hung');
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  assert.ok(e.stats.nameUnknown.length > 0, 'ECR never refused: the test proves nothing');
  assert.match(run.stderr, /repository cert-manager\/cainjector does not exist and this registry does not create repositories on push/);
  // A missing repository is no transient fault, and stays missing for the run: the first tag's
  // blob uploads (in flight together) are refused once each, not once per attempt (there were
  // 3 × maxAttempts), and the second tag asks nothing (there were 3 more POSTs); no manifest PUT.
  const writes = pAws.stats.log.filter((x) => (x.method === 'POST' || x.method === 'PUT' || x.method === 'PATCH') && x.path.includes('/cainjector/'));
  assert.ok(writes.length > 0 && writes.length <= 3 && writes.every((x) => x.method === 'POST'), writes.map((x) => `${x.method} ${x.path}`).join('\n'));
  for (const tag of ['v1.0.0', 'v1.0.1']) assert.equal(await skopeoDigest(`${other.host}/cert-manager/cainjector:${tag}`), digests.get(tag));
});
