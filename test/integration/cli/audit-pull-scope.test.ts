// An audit asks only for what it reads. verify (and plan) opened the targets as sync does, asking
// their token service for `pull,push`: an auditor's read-only account then met a token without
// push, or, at a service that refuses what it will not grant in full, no token at all; and a 401
// there said to check that the credentials "may push to it" (audit hunt). verify and plan now ask
// for `pull` at targets; sync still asks for `pull,push`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let config: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true, auth: 'token', users: { admin: 'admin-pass', auditor: 'auditor-pass' }, readOnlyUsers: ['auditor'] })]);
  await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 1 });
  config = await writeConfig(await scratchDir('audit-pull-scope'), `version: 1
defaults:
  targets: [${dst.host}/cm]
  referrers: false
${registriesYaml([src, [dst, { credentials: '{ usernameEnv: DST_USER, passwordEnv: DST_PASS }' }]])}images:
  - source: ${src.host}/jetstack/app
`);
});

after(() => Promise.all([src, dst].map((r) => r && destroyRegistry(r))));

const targetScopes = () => dst.tokenServer!.scopesAsked.flat().filter((s) => s.startsWith('repository:cm/'));

test('sync asks the target for pull,push; verify and plan by a read-only auditor ask for pull only', { timeout: 120_000 }, async () => {
  const sync = await runCli(['sync', '-c', config, '--no-progress'], { env: { DST_USER: 'admin', DST_PASS: 'admin-pass' } });
  assert.equal(sync.exitCode, 0, sync.stderr);
  assert.ok(targetScopes().includes('repository:cm/app:pull,push'), targetScopes().join(' '));
  for (const command of ['verify', 'plan']) {
    dst.tokenServer!.scopesAsked.length = 0;
    const run = await runCli([command, '-c', config, '--no-progress'], { env: { DST_USER: 'auditor', DST_PASS: 'auditor-pass' } });
    assert.equal(run.exitCode, 0, `${command}: ${run.stderr}${run.stdout}`);
    assert.deepEqual([...new Set(targetScopes())], ['repository:cm/app:pull'], command);
  }
});
