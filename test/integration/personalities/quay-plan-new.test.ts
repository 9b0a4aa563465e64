// Release day for a new image: `plan` into quay.io repositories that do not exist yet. plan asks
// the targets' token service for pull only (an audit's read-only account may have no more), and
// quay.io answers a pull-only token's listing of an absent repository with 401, as for a private
// one: every row said "failed … repository absent or access denied … check credentials" and plan
// advised fixing failures, where the sync it plans (asking pull,push) creates the repositories.
// A target refusing the pull-only listing is now listed again as sync would list it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { quay } from '../../harness/personalities/quay.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry; // token auth, like quay.io
let pDst: FaultProxy;
const quayDst = quay();
let config: string;
const env = () => ({ DST_USER: 'admin', DST_PASS: dst.users.admin! });

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true, auth: 'token' })]);
  pDst = await proxyFor(dst, { personalities: [quayDst.play] });
  await seedImage({ url: src.url }, { repository: 'jetstack/newapp', tags: ['v1.0.0'], format: 'oci', platforms: 2 });
  config = await writeConfig(await scratchDir('quay-plan-new'), `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
  referrers: false
${registriesYaml([src, [dst, { credentials: '{ usernameEnv: DST_USER, passwordEnv: DST_PASS }' }]])}images:
  - source: ${src.host}/jetstack/newapp
`);
});

after(async () => {
  await pDst?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('plan into a quay.io repository that does not exist yet: "copy", as the sync it plans then does', { timeout: 120_000 }, async () => {
  const endpoint = ['--endpoint', `${dst.host}=${pDst.url}`];
  const plan = await runCli(['plan', '-c', config, '--no-progress', '--format', 'json', ...endpoint], { env: env() });
  assert.equal(plan.exitCode, 0, plan.stderr + plan.stdout);
  assert.ok(quayDst.stats.hidden > 0, 'the personality answered the pull-only listing with 401');
  const rows = (JSON.parse(plan.stdout) as { results: { tag: string; targets: { action: string }[] }[] }).results;
  assert.deepEqual(rows.map((r) => [r.tag, r.targets.map((t) => t.action)]), [['v1.0.0', ['copy']]]);
  assert.doesNotMatch(plan.stderr, /absent or access denied/);
  // A target named in the plan as absent is created by sync.
  const sync = await runCli(['sync', '-c', config, '--no-progress', ...endpoint], { env: env() });
  assert.equal(sync.exitCode, 0, sync.stderr + sync.stdout);
  assert.equal(await skopeoDigest(`${dst.host}/cert-manager/newapp:v1.0.0`, { creds: `admin:${dst.users.admin}` }), await skopeoDigest(`${src.host}/jetstack/newapp:v1.0.0`));
});
