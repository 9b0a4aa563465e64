// One sync to ghcr.io (bodies ≤ 4 MiB) and ECR (parts ≥ 5 MiB) at once: what one registry taught
// the run stays with that registry, so the 4 MiB chunks ghcr.io needs never reach ECR.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { ecr } from '../../harness/personalities/ecr.js';
import { GHCR_MAX_BODY, ghcrUploads } from '../../harness/personalities/ghcr-uploads.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { digestDifferences } from '../reliability/helpers.js';
import { MiB, open, seedLarge } from './fixtures.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let ghcr: RunningRegistry;
let aws: RunningRegistry;
let pGhcr: FaultProxy;
let pAws: FaultProxy;
const g = ghcrUploads();
const e = ecr();

before(async () => {
  [src, ghcr, aws] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true }), startRegistry({ tls: true })]);
  pGhcr = await proxyFor(ghcr, { personalities: [g.personality] });
  pAws = await proxyFor(aws, { personalities: [e.personality] });
  await seedLarge(open(src), 'jetstack/big', ['v1.0.0', 'v1.0.1'], 12 * MiB);
});

after(async () => {
  await Promise.all([pGhcr, pAws].map((p) => p?.close()));
  await Promise.all([src, ghcr, aws].map((r) => r && destroyRegistry(r)));
});

test('chunk rules learned from ghcr.io stay with ghcr.io', async () => {
  const dir = await scratchDir('mixed');
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [${ghcr.host}/cert-manager, ${aws.host}/cert-manager]
${registriesYaml([src, ghcr, aws])}images:
  - source: ${src.host}/jetstack/big
`);
  const run = await runCli(['sync', '-c', config, '--endpoint', `${ghcr.host}=${pGhcr.url}`, '--endpoint', `${aws.host}=${pAws.url}`, '--no-progress']);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(g.stats.refused.PATCH >= 1);
  assert.equal(g.stats.largestAccepted, GHCR_MAX_BODY);
  assert.equal(e.stats.shortPartsRefused, 0);
  assert.deepEqual(pAws.stats.log.filter((x) => x.method === 'PATCH'), [], 'ECR took every blob in one PUT');
  const { checked, wrong } = await digestDifferences(src, 'jetstack/big', [[ghcr, 'cert-manager/big'], [aws, 'cert-manager/big']]);
  assert.deepEqual(wrong, []);
  assert.equal(checked, 4);
});
