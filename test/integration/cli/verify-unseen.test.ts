// `verify --format json -o FILE` (how CI keeps its report) that ended in exit 3 or 1 printed
// nothing on stderr: the job's log showed a bare exit code and no reason (chaos2 hunt). Now one
// line says the summary, the first error and where the report is; the JSON itself is unchanged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';

let source: RunningRegistry;

before(async () => {
  source = await startRegistry({ tls: true });
  await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true });
});

after(async () => {
  if (source) await destroyRegistry(source);
});

test('verify with its report in a file says on stderr why it exits 3: the summary, the first error, the file', async () => {
  const dir = await scratchDir('verify-unseen');
  // One target lacks the tag (drift), one cannot be reached at all (an error: exit 3).
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${source.host}/mirror, 127.0.0.1:9/mirror]
${registriesYaml([source])}images:
  - source: ${source.host}/jetstack/app
`);
  const out = join(dir, 'verify.json');
  const run = await runCli(['verify', '-c', file, '--format', 'json', '-o', out, '--no-progress']);
  assert.equal(run.exitCode, 3, run.stderr);
  const line = run.stderr.split('\n').filter((l) => l.startsWith('verify: '));
  assert.equal(line.length, 1, run.stderr);
  assert.match(line[0]!, /1 drift, 1 error; first error: 127\.0\.0\.1:9\/mirror\/app:v1\.0\.0: .*unreachable.*; the report is in .*verify\.json$/);
  assert.equal(JSON.parse(await readFile(out, 'utf8')).summary.errors, 1);
  const quiet = await runCli(['verify', '-c', file, '--format', 'json', '-o', out, '--no-progress', '-q']);
  assert.doesNotMatch(quiet.stderr, /^verify: /m, '-q: only errors');
});
