// A NAME_UNKNOWN on a manifest PUT after this run's uploads to the same repository succeeded (a
// glitch, or a repository being recreated: the registry said it exists a moment ago) is that
// tag's failure, not proof that the repository is missing. It was remembered as missing for the
// run: every later tag there failed at once with "does not exist ... aws ecr create-repository",
// though the repository held the blobs just pushed and the tags before it (upload2 hunt: one
// injected NAME_UNKNOWN failed 4 of 16 tags; a re-run copied them without a fault). The same on
// a warm run, where the repository's tags were read but nothing was uploaded: only tag PUTs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { ecr } from '../../harness/personalities/ecr.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { retag, seedImage } from '../../harness/seed.js';
import { scratchDir } from '../../harness/scratch.js';
import { open } from './fixtures.js';

let src: RunningRegistry;
let aws: RunningRegistry;
let pAws: FaultProxy;
const TAGS = ['v1.0.0', 'v1.0.1', 'v1.0.2'];
const digests = new Map<string, string>();

before(async () => {
  [src, aws] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  pAws = await proxyFor(aws, { personalities: [ecr({ repositories: ['cert-manager/controller'] }).personality] });
  for (const s of await seedImage(open(src), { repository: 'jetstack/controller', tags: TAGS, format: 'oci', single: true })) digests.set(s.tag, s.digest);
});

after(async () => {
  await pAws?.close();
  await Promise.all([src, aws].map((r) => r && destroyRegistry(r)));
});

test('one NAME_UNKNOWN on a manifest PUT after uploads there succeeded fails that tag only', { timeout: 120_000 }, async () => {
  // The first tag's blobs land; its manifest PUT is answered 404 NAME_UNKNOWN once.
  pAws.inject({ method: 'PUT', path: /\/manifests\/v1\.0\.\d$/, times: 1, fault: { kind: 'status', status: 404 } });
  const config = await writeConfig(await scratchDir('ecr-name-unknown-late'), `version: 1
defaults:
  targets: [${aws.host}/cert-manager]
${registriesYaml([src, aws])}images:
  - source: ${src.host}/jetstack/controller
`);
  const run = await runCli(['sync', '-c', config, '--endpoint', `${aws.host}=${pAws.url}`, '--no-progress', '--concurrency', '1'], { timeoutMs: 90_000 });
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  assert.equal(pAws.stats.injected.status, 1, 'the fault was never sent: the test proves nothing');
  assert.doesNotMatch(run.stderr, /does not exist and this registry does not create repositories/, 'the repository holds what this run just pushed');
  const landed = [];
  for (const tag of TAGS) if ((await skopeoDigest(`${aws.host}/cert-manager/controller:${tag}`).catch(() => '')) === digests.get(tag)) landed.push(tag);
  assert.equal(landed.length, TAGS.length - 1, `only ${landed.join(', ') || 'no tag'} landed: the later tags failed for the first tag's refusal`);
});

test('the same on a warm run, where the tags read from the repository show it exists', { timeout: 120_000 }, async () => {
  const e = ecr({ repositories: ['warm/controller'] });
  const proxy = await proxyFor(aws, { personalities: [e.personality] });
  after(() => proxy.close());
  const config = await writeConfig(await scratchDir('ecr-name-unknown-warm'), `version: 1
defaults:
  targets: [${aws.host}/warm]
${registriesYaml([src, aws])}images:
  - source: ${src.host}/jetstack/controller
`);
  const sync = () => runCli(['sync', '-c', config, '--endpoint', `${aws.host}=${proxy.url}`, '--no-progress', '--concurrency', '1'], { timeoutMs: 90_000 });
  assert.equal((await sync()).exitCode, 0);
  // Two new tags of an image the repository holds: the run reads its tags, uploads nothing, PUTs two tags.
  for (const tag of ['v2.0.0', 'v2.1.0']) await retag(open(src), 'jetstack/controller', 'v1.0.1', tag);
  proxy.inject({ method: 'PUT', path: /\/manifests\/v2\.\d\.0$/, times: 1, fault: { kind: 'status', status: 404 } });
  const run = await sync();
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  assert.doesNotMatch(run.stderr, /does not exist and this registry does not create repositories/, 'the run read the tags the repository holds');
  const landed = [];
  for (const tag of ['v2.0.0', 'v2.1.0']) if ((await skopeoDigest(`${aws.host}/warm/controller:${tag}`).catch(() => '')) === digests.get('v1.0.1')) landed.push(tag);
  assert.equal(landed.length, 1, `landed: ${landed.join(', ') || 'none'}`);
});
