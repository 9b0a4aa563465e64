// SPEC: `sync --dry-run` = `plan`, and `engine: skopeo` may come from `--engine skopeo`. `plan
// --engine skopeo` was refused ("unknown option '--engine'") and `sync --dry-run --explain` too
// ("unknown option '--explain'"), each exit 1, though the two spellings run the same code: both
// now take both options. `--explain` without `--dry-run` stays a plan's option (exit 2).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let reg: RunningRegistry;
let file: string;

before(async () => {
  reg = await startRegistry({ tls: true });
  await seedImage({ url: reg.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'latest'], format: 'oci', platforms: 1 });
  file = await writeConfig(await scratchDir('plan-dry-run'), `version: 1\ndefaults:\n  targets: [${reg.host}/mirror]\n${registriesYaml([reg])}images:\n  - source: ${reg.host}/jetstack/app\n`);
});

after(async () => {
  if (reg) await destroyRegistry(reg);
});

test('plan --engine skopeo says what sync --dry-run --engine skopeo says', async () => {
  const plan = await runCli(['plan', '-c', file, '--engine', 'skopeo', '--no-progress']);
  assert.equal(plan.exitCode, 0, plan.stderr + plan.stdout);
  const dry = await runCli(['sync', '-c', file, '--dry-run', '--engine', 'skopeo', '--no-progress']);
  assert.equal(dry.exitCode, 0, dry.stderr + dry.stdout);
  assert.match(plan.stdout, /v1\.0\.0 .* copy /);
  assert.equal(plan.stdout, dry.stdout);
});

test('sync --dry-run --explain says why each tag is in or out, as plan --explain does; sync --explain alone is a usage error', async () => {
  const dry = await runCli(['sync', '-c', file, '--dry-run', '--explain', '--no-progress']);
  assert.equal(dry.exitCode, 0, dry.stderr + dry.stdout);
  const plan = await runCli(['plan', '-c', file, '--explain', '--no-progress']);
  assert.match(plan.stdout, /why each tag:/);
  assert.equal(dry.stdout, plan.stdout);
  const sync = await runCli(['sync', '-c', file, '--explain', '--no-progress']);
  assert.equal(sync.exitCode, 2, sync.stderr + sync.stdout);
  assert.match(sync.stderr, /--explain .*plan/);
});
