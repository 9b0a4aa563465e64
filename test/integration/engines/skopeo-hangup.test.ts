// engine: skopeo's auth files when the terminal goes away (issue 9, secrets): a run whose terminal
// or SSH session closed got SIGHUP, which ends Node at once by default, without the exit hook that
// removes the engine's temp dir, so a containers-auth.json (user:password in base64) stayed in
// TMPDIR. The run now stops on SIGHUP as on SIGTERM: exit 130, nothing of the engine left behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, writeConfig } from '../../harness/cli.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { seedImage } from '../../harness/seed.js';
import { scratchDir } from '../../harness/scratch.js';

const TAGS = Array.from({ length: 8 }, (_, i) => `v1.${i}.0`);
let source: RunningRegistry;
let target: RunningRegistry;
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true, auth: 'htpasswd' })]);
  dir = await scratchDir('skopeo-hangup');
  await seedImage({ url: source.url }, { repository: 'team/app', tags: TAGS, format: 'oci', platforms: 2 });
});
after(async () => {
  await Promise.all([destroyRegistry(source), destroyRegistry(target)]);
});

test('engine: skopeo: a run that gets SIGHUP mid-copy stops as on SIGTERM and leaves no auth file in TMPDIR', { timeout: 120_000 }, async () => {
  const tmp = await scratchDir('skopeo-hangup-tmp');
  const config = await writeConfig(join(dir, 'cfg'), `version: 1
defaults:
  targets: [${target.host}/mirror]
  engine: skopeo
${registriesYaml([source, [target, { credentials: '{ usernameEnv: T_USER, passwordEnv: T_PASS }' }]])}images:
  - source: ${source.host}/team/app
`);
  // The first copy has written the target's auth file; the rest are still to go.
  const run = await runCli(['sync', '-c', config, '--no-progress', '--concurrency', '1'], {
    env: { TMPDIR: tmp, T_USER: 'admin', T_PASS: target.users.admin! },
    signalOnOutput: { signal: 'SIGHUP', pattern: /copied by skopeo/ },
  });
  const left = await readdir(tmp, { recursive: true });
  assert.deepEqual(left.filter((f) => /regmirror-skopeo-/.test(f)), [], `left in TMPDIR after SIGHUP (exit ${run.exitCode}, signal ${run.signal})`);
  assert.equal(run.exitCode, 130, run.stderr);
  assert.match(run.stderr, /SIGHUP: stopping/);
  assert.match(run.stderr, /interrupted: \d+ copied/);
});
