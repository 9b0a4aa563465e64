// `regmirror publish` into quay.io's personality refusing one entry's artifactType (415, off its
// allow-list), in front of a real token-auth registry over TLS: the other entries land (skopeo
// reads them), the refused one's row says publish's ways out, and a rerun pushes only what is
// missing. The row said sync's 'or exclude the tag' (publish2 hunt), which publish has no use for.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { quay } from '../../harness/personalities/quay.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { hex, PLUGIN, stageTwoBinaries, twoBinariesYaml } from './two-binaries.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import type { SyncReport } from '../../../src/report/model.js';

const REFUSED = 'application/vnd.cert-manager.cmctl.v1';

let reg: RunningRegistry;
let proxy: FaultProxy;
let dir: string;
const play = quay({ refusedConfigTypes: [REFUSED] });

before(async () => {
  reg = await startRegistry({ auth: 'token', tls: true });
  proxy = await proxyFor(reg, { personalities: [play.play] });
  dir = await scratchDir('publish-quay');
  await stageTwoBinaries(dir);
});

after(async () => {
  await proxy?.close();
  if (reg) await destroyRegistry(reg);
});

test('one artifactType refused (415): the rest land, the row says to leave the registry out or change the type, a rerun pushes only what is missing', async () => {
  const cfg = await writeConfig(dir, `version: 1
defaults:
  targets: [${reg.host}/cert-manager]
${registriesYaml([[reg, { credentials: '{ usernameEnv: U, passwordEnv: P }' }]])}${twoBinariesYaml(dir, REFUSED)}`);
  const env = { U: 'admin', P: reg.users.admin! };
  const publish = (n: number) => runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', join(dir, 'dist'), '--endpoint', `${reg.host}=${proxy.url}`, '--no-progress', '--format', 'json', '-o', join(dir, `${n}.json`)], { env });

  const first = await publish(1);
  assert.equal(first.exitCode, 1, first.stderr);
  const report = JSON.parse(await readFile(join(dir, '1.json'), 'utf8')) as SyncReport;
  const row = (name: string, r = report) => r.results.find((x) => x.source === name)!.targets[0]!;
  assert.equal(row('cmctl').action, 'failed');
  assert.match(row('cmctl').detail, /the registry refuses the application\/vnd\.oci\.image\.manifest\.v1\+json manifest with "application\/vnd\.cert-manager\.cmctl\.v1".*\(415 Unsupported Media Type; .*\): it does not accept this kind of content; leave this registry out of binaries "cmctl" targets, or give that entry an artifactType it accepts$/);
  assert.doesNotMatch(first.stderr, /exclude the tag/, first.stderr);
  assert.ok(row('cmctl').detail.startsWith(`destination ${reg.host}/cert-manager/cmctl:v1.2.3: the registry refuses`), `the repository said once: ${row('cmctl').detail}`);
  assert.equal(play.stats.refusedTypes, 1);
  assert.equal(row('kubectl-cert-manager').action, 'copied');
  const raw = await skopeoRawManifest(`${reg.host}/cert-manager/kubectl-cert-manager:v1.2.3`, { creds: `admin:${reg.users.admin}` });
  assert.equal(`sha256:${hex(raw)}`, report.results.find((x) => x.source === 'kubectl-cert-manager')!.sourceDigest, 'skopeo reads the landed artifact');
  assert.equal(JSON.parse(raw.toString('utf8')).layers[0].digest, `sha256:${hex(PLUGIN)}`);

  const second = await publish(2);
  assert.equal(second.exitCode, 1, second.stderr);
  const rerun = JSON.parse(await readFile(join(dir, '2.json'), 'utf8')) as SyncReport;
  assert.equal(row('kubectl-cert-manager', rerun).action, 'skip', 'what landed is not pushed again');
  assert.equal(row('cmctl', rerun).action, 'failed');
  assert.equal(play.stats.refusedTypes, 2, 'only the missing one is tried again');
});
