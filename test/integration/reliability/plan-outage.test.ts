// plan has no exit 1 (SPEC: 0, 2, 3): a target it could not reach at all left the plan incomplete,
// so it exits 3, still planning the target it could reach. A CI job gating on `plan` used to pass
// with ghcr.io down and only `sync` failed (exit 1) after it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { adminPush } from './helpers.js';
import { tokenService } from '../../harness/personalities/token-service.js';
import type { SyncReport } from '../../../src/report/model.js';

let src: RunningRegistry;
let up: RunningRegistry;
let down: string; // host:port of a registry stopped before the run

before(async () => {
  let gone: RunningRegistry;
  [src, up, gone] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true }), startRegistry({ tls: true })]);
  down = gone.host;
  await destroyRegistry(gone);
  await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 1, layerBytes: 1024 });
});

after(async () => {
  await Promise.all([src, up].map((r) => r && destroyRegistry(r)));
});

test('plan with one target down: exit 3, the reachable target still planned, the next step is to plan again', async () => {
  const dir = await scratchDir('plan-outage');
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${up.host}/cert-manager, ${down}/cert-manager]
registries:
  ${src.host}: { caFile: ${src.caFile} }
  ${up.host}: { caFile: ${up.caFile} }
  ${down}: { tls: verify, maxAttempts: 1 }
images:
  - source: ${src.host}/jetstack/app
`);
  const plan = await runCli(['plan', '-c', file, '--no-progress']);
  assert.equal(plan.exitCode, 3, plan.stderr + plan.stdout);
  assert.match(plan.stdout + plan.stderr, new RegExp(down.replace(/\./g, '\\.')), 'names the target it could not reach');
  assert.match(plan.stdout, /failures: fix their cause, then plan again/);
  assert.doesNotMatch(plan.stdout, /it resumes/);
  assert.doesNotMatch(plan.stderr, /\n\s+at /, 'no stack trace');

  const json = await runCli(['plan', '-c', file, '--no-progress', '--format', 'json']);
  assert.equal(json.exitCode, 3, json.stderr);
  const rows = (JSON.parse(json.stdout) as SyncReport).results.flatMap((r) => r.targets.map((t) => `${t.repository.split('/')[0]} ${t.action}`));
  assert.deepEqual(rows.sort(), [`${down} failed`, `${up.host} copy`].sort());

  // The run itself keeps its documented code: the reachable target copied, failures left: 1.
  const sync = await runCli(['sync', '-c', file, '--no-progress']);
  assert.equal(sync.exitCode, 1, sync.stderr + sync.stdout);
});

// tokens4 hunt: a target reached but not read, its credentials refused by the token service or a
// sign-on page in the token's place, left every row of it failed and the plan exited 0.
test('plan with a target whose credentials are refused, or whose token service sends a sign-on page: exit 3', async () => {
  const [refusing, portal] = await Promise.all([
    startRegistry({ tls: true, auth: 'token' }),
    startRegistry({ tls: true, auth: 'token', realmPersonalities: [tokenService({ loginPage: true })] }),
  ]);
  after(() => Promise.all([destroyRegistry(refusing), destroyRegistry(portal)]));
  for (const target of [refusing, portal]) {
    const dir = await scratchDir('plan-unread');
    const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${up.host}/unread, ${target.host}/cert-manager]
registries:
  ${src.host}: { caFile: ${src.caFile} }
  ${up.host}: { caFile: ${up.caFile} }
  ${target.host}:
    caFile: ${target.caFile}
    credentials: { usernameEnv: T_USER, passwordEnv: T_PASS }
images:
  - source: ${src.host}/jetstack/app
`);
    const env = { T_USER: 'admin', T_PASS: target === refusing ? 'not-the-password' : target.users.admin };
    const plan = await runCli(['plan', '-c', file, '--no-progress', '--format', 'json'], { env });
    assert.equal(plan.exitCode, 3, plan.stderr + plan.stdout);
    const rows = (JSON.parse(plan.stdout) as SyncReport).results.flatMap((r) => r.targets.map((t) => `${t.repository.split('/')[0]} ${t.action}`));
    assert.deepEqual(rows.sort(), [`${target.host} failed`, `${up.host} copy`].sort());
  }
});
