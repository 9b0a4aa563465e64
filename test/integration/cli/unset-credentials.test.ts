// A registry only read from whose credentials name two unset variables (verify4 hunt: verify of
// ghcr.io-like, quay.io-like, ECR-like and nginx h2 targets, GH_USER and GH_PASS unset) warned
// twice, 'GH_USER is not set; reading HOST …' then 'GH_PASS is not set; reading HOST …': one
// fact, said once per variable. It is one line for the host now, and the audit goes on anonymously.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true });
});

after(async () => {
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('verify with both credential variables of a target unset: one warning naming both, and the audit goes on', async () => {
  const dir = await scratchDir('unset-credentials');
  const config = await writeConfig(dir, `version: 1\ndefaults:\n  targets: [${dst.host}/mirror]\n${registriesYaml([src, [dst, { credentials: '{ usernameEnv: V4_USER, passwordEnv: V4_PASS }' }]])}images:\n  - source: ${src.host}/jetstack/app\n`);
  const run = await runCli(['verify', '-c', config, '--no-progress'], { env: { V4_USER: undefined, V4_PASS: undefined } });
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  const warnings = run.stderr.split('\n').filter((l) => l.includes('not set'));
  assert.deepEqual(warnings, [`warning: V4_USER and V4_PASS are not set; reading ${dst.host} with Docker's credentials or anonymously`]);
  assert.match(run.stdout, /v1\.0\.0 .* missing /);
});

// A variable set to nothing is what GitHub Actions gives for `${{ secrets.X }}` when the secret
// does not exist: "is not set" sent users to an env block where it plainly was.
test('credential variables set to nothing are said to be empty, with why CI leaves them so: exit 2 for a target written to, a warning for one read', async () => {
  const dir = await scratchDir('empty-credentials');
  const config = await writeConfig(dir, `version: 1\ndefaults:\n  targets: [${dst.host}/mirror]\n${registriesYaml([src, [dst, { credentials: '{ usernameEnv: E4_USER, passwordEnv: E4_PASS }' }]])}images:\n  - source: ${src.host}/jetstack/app\n`);
  const why = ' (set to nothing: in CI, a secret that does not exist, or is not given to this job, reads so)';
  const sync = await runCli(['sync', '-c', config, '--no-progress'], { env: { E4_USER: 'robot', E4_PASS: '' } });
  assert.equal(sync.exitCode, 2, sync.stderr + sync.stdout);
  assert.match(sync.stderr, new RegExp(`environment variable E4_PASS \\(credentials for ${dst.host.replace(/\./g, '\\.')}\\) is empty \\(set to nothing: in CI`));
  const verify = await runCli(['verify', '-c', config, '--no-progress'], { env: { E4_USER: '', E4_PASS: '' } });
  assert.equal(verify.exitCode, 1, verify.stderr + verify.stdout);
  assert.deepEqual(verify.stderr.split('\n').filter((l) => l.includes('E4_')), [`warning: E4_USER and E4_PASS are empty${why}; reading ${dst.host} with Docker's credentials or anonymously`]);
});
