// A referrer quay.io refuses for its type (415), from regclient's testrepo (layouts3 hunt: the
// layout pushed through the quay personality with its allow-list missing "application/example.sbom").
// v3 itself was taken, but its row said the SBOM as 'testrepo:sha256:819f…' (no such tag) and
// told people to 'exclude the tag', which would drop v3 for the sake of its SBOM. The row names
// the SBOM as REPO@DIGEST and both ways to leave it out, with either engine; v3 is in place.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SyncReport } from '../../../src/report/model.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { quay } from '../../harness/personalities/quay.js';
import { repoRoot, runCli, writeConfig } from '../../harness/cli.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { sha256 } from '../../../src/types/digest.js';
import { scratchDir } from '../../harness/scratch.js';

/** testrepo's v3 and the two untagged SBOMs that refer to it (config application/example.sbom). */
const V3 = 'sha256:6fe828b32b9b4572f32b16c1c0a4d675660b19ec207d010724309374252c2d6d';
const SBOMS = 'sha256:(?:819ff4564a5d4a1c07b4e25bbba420cace378d4ed32671e6ee4eea95df1b8c4c|ad460bc30198d65c14708aa6ec4445498243bc642fce8b64ea7ce21ba559cc79)';

let registry: RunningRegistry;
let proxy: FaultProxy;
let dir: string;

before(async () => {
  registry = await startRegistry({ tls: true });
  proxy = await proxyFor(registry, { personalities: [quay({ hideAbsent: false, refusedConfigTypes: ['application/example.sbom'] }).play] });
  dir = await scratchDir('quay-refused-referrer');
  await cp(join(repoRoot(), 'test', 'fixtures', 'thirdparty', 'regclient-testrepo'), join(dir, 'testrepo'), { recursive: true });
});
after(async () => {
  await proxy?.close();
  await destroyRegistry(registry);
});

for (const engine of ['native', 'skopeo']) {
  test(`${engine}: the refused SBOM of v3 is named by digest with both ways to leave it out; v3 is in place`, { timeout: 300_000 }, async () => {
    const config = await writeConfig(join(dir, engine), `version: 1
defaults:
  targets: [${proxy.host}/${engine}]
  engine: ${engine}
${registriesYaml([{ host: proxy.host, caFile: registry.caFile }])}images:
  - source: oci:${join(dir, 'testrepo')}
`);
    const run = await runCli(['sync', '-c', config, '--tag', 'v3', '--no-progress', '--report', join(dir, `${engine}.json`)], { timeoutMs: 240_000 });
    assert.equal(run.exitCode, 1, run.stdout + run.stderr);
    const row = (JSON.parse(await readFile(join(dir, `${engine}.json`), 'utf8')) as SyncReport).results.find((r) => r.tag === 'v3')!.targets[0]!;
    assert.equal(row.action, 'failed');
    // v3 is tagged there; only its SBOM was refused: the row carries the digest it put in place.
    assert.equal(row.digest, V3);
    assert.match(row.detail, new RegExp(`${proxy.host}/${engine}/testrepo@${SBOMS}: the registry refuses the application/vnd\\.oci\\.image\\.manifest\\.v1\\+json manifest with "application/example\\.sbom"`));
    assert.ok(row.detail.endsWith('mirror it to a registry that does, or leave it out: exclude the tag it belongs to or, for a signature, attestation or SBOM, set `referrers: false` on that image'), row.detail);
    assert.doesNotMatch(row.detail, /testrepo:sha256:/);
    assert.equal(sha256(await skopeoRawManifest(`${registry.host}/${engine}/testrepo:v3`)), V3);
  });
}
