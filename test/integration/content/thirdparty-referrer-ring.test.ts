// regclient's testrepo v1 lists d9104343…, which is also a referrer of v1's own child 7e87ffc9…
// (layouts3 hunt: `sync --tag v1` of the layout to a fresh repository on a TLS registry). The
// referrer's walk claimed d9104343 and waited for v1 to be in place, while v1's walk waited for
// d9104343 to be placed: nothing left to run, Node ended the process with exit 13 and no line at
// all, in 3 to 4 runs of 10. A referrer's walk now claims nothing until its subject is in place.
// The race is timing's, so the test runs the copy into several fresh repositories.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SyncReport } from '../../../src/report/model.js';
import { sha256 } from '../../../src/types/digest.js';
import { repoRoot, runCli, writeConfig } from '../../harness/cli.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const V1 = 'sha256:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa';
/** The fallback tag of v1's child 7e87ffc9…, whose index lists d9104343…. */
const CHILD_FALLBACK = 'sha256-7e87ffc91b9ceafa85be2777b16b1be10e4664fd4f3acc86e4295b97da5163ba';
const RUNS = 8;

let registry: RunningRegistry;
let dir: string;

before(async () => {
  registry = await startRegistry({ tls: true });
  dir = await scratchDir('thirdparty-referrer-ring');
  await cp(join(repoRoot(), 'test', 'fixtures', 'thirdparty', 'regclient-testrepo'), join(dir, 'testrepo'), { recursive: true });
});
after(async () => {
  await destroyRegistry(registry);
});

test(`v1 and the referrer it also lists reach ${RUNS} fresh repositories, every run finishing with its report`, { timeout: 300_000 }, async () => {
  for (let run = 1; run <= RUNS; run++) {
    const config = await writeConfig(join(dir, `run-${run}`), `version: 1
defaults:
  targets: [${registry.host}/ring-${run}]
${registriesYaml([registry])}images:
  - source: oci:${join(dir, 'testrepo')}
`);
    const report = join(dir, `run-${run}.json`);
    const sync = await runCli(['sync', '-c', config, '--tag', 'v1', '--no-progress', '--report', report], { timeoutMs: 60_000 });
    assert.equal(sync.exitCode, 0, `run ${run}: exit ${sync.exitCode}\n${sync.stdout}\n${sync.stderr}`);
    const rows = (JSON.parse(await readFile(report, 'utf8')) as SyncReport).results.map((r) => `${r.tag} ${r.targets[0]!.action}`);
    assert.deepEqual(rows, ['v1 copied'], `run ${run}`);
    assert.equal(sha256(await skopeoRawManifest(`${registry.host}/ring-${run}/testrepo:v1`)), V1, `run ${run}: v1`);
    const fallback = JSON.parse((await skopeoRawManifest(`${registry.host}/ring-${run}/testrepo:${CHILD_FALLBACK}`)).toString()) as { manifests: { digest: string }[] };
    assert.ok(fallback.manifests.some((m) => m.digest.startsWith('sha256:d910434391624641')), `run ${run}: the referrer listed`);
  }
});
