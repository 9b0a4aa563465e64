// An endpoint given with the namespace in its path (newuser2 hunt: `--endpoint
// quay.io=https://127.0.0.1:PORT/jetstack` to try a mirrors.yaml against a local TLS registry):
// every request went under /jetstack/v2/, which nothing serves; the source's row read "has no tags
// (does the repository exist?)" and plan exited 0, and a target so failed each blob's POST with
// "not found", exit 1. Now the line says nothing answers as a registry under that path while the
// root does, and what to write; exit 3 (the registry could not be read at all).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let file: string;
let image: SeededImage;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  [image] = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true }) as [SeededImage];
  file = await writeConfig(await scratchDir('endpoint-path'), `version: 1
defaults:
  targets: [ghcr.io/cert-manager]
registries:
  quay.io: { caFile: ${src.caFile} }
  ghcr.io: { caFile: ${dst.caFile} }
images:
  - source: quay.io/jetstack/app
`);
});

after(async () => {
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('a source endpoint with the namespace in its path: plan says so, exit 3, not "has no tags" and 0', async () => {
  const run = await runCli(['plan', '-c', file, '--no-progress', '--endpoint', `quay.io=${src.url}/jetstack`, '--endpoint', `ghcr.io=${dst.url}`]);
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  assert.ok(run.stdout.includes(`quay.io: nothing answers as a registry under its endpoint ${src.url}/jetstack (--endpoint) (GET ${src.url}/jetstack/v2/: 404), while ${src.url}/v2/ does: make the endpoint ${src.url} (a registry serves /v2/ at its root; the namespace belongs in the image's name, quay.io/jetstack/app)`), run.stdout);
  assert.doesNotMatch(run.stdout, /has no tags/);
});

test('a target endpoint with a path: sync says so, exit 3, and a right endpoint copies', async () => {
  const run = await runCli(['sync', '-c', file, '--no-progress', '--endpoint', `quay.io=${src.url}`, '--endpoint', `ghcr.io=${dst.url}/cert-manager`]);
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  assert.ok(run.stderr.includes(`ghcr.io: nothing answers as a registry under its endpoint ${dst.url}/cert-manager (--endpoint)`), run.stderr);
  const right = await runCli(['sync', '-c', file, '--no-progress', '--endpoint', `quay.io=${src.url}`, '--endpoint', `ghcr.io=${dst.url}`]);
  assert.equal(right.exitCode, 0, right.stderr + right.stdout);
  assert.equal(await skopeoDigestVerified(`${dst.host}/cert-manager/app:v1.0.0`, dst.certDir!), image.digest);
});

test('a repository that is not there, at a right endpoint, still reads "has no tags"', async () => {
  const missing = await writeConfig(await scratchDir('endpoint-path-missing'), `version: 1
defaults:
  targets: [ghcr.io/cert-manager]
registries:
  quay.io: { caFile: ${src.caFile}, endpoint: "${src.url}" }
  ghcr.io: { caFile: ${dst.caFile}, endpoint: "${dst.url}" }
images:
  - source: quay.io/jetstack/nothing-here
`);
  const run = await runCli(['plan', '-c', missing, '--no-progress']);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.match(run.stdout, /quay\.io\/jetstack\/nothing-here has no tags \(does the repository exist\?\)/);
});
