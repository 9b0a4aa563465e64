// GitHub's UI from a real run with GITHUB_ACTIONS=true: a target registry (a personality of the
// fault proxy in front of a real distribution) refuses manifests with a message carrying a newline
// and a workflow command of its own. We want one escaped ::error per failure, and nothing injected.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let reg: RunningRegistry;
let proxy: FaultProxy;
let dir: string;
const HOSTILE = 'manifest refused\n::error title=pwned::injected by the registry, 100%\r\n::add-mask::x';

before(async () => {
  reg = await startRegistry({ tls: true });
  // Every manifest PUT into the hostile namespace is refused with the hostile message.
  proxy = await proxyFor(reg, {
    personalities: [(ex) => {
      if (ex.method !== 'PUT' || !/^\/v2\/hostile\/.+\/manifests\//.test(ex.path)) return false;
      ex.fail(400, 'MANIFEST_INVALID', HOSTILE);
      return true;
    }],
  });
  dir = await scratchDir('annotations');
  await seedImage({ url: reg.url }, { repository: 'jetstack/acmesolver', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', single: true });
});

after(async () => {
  await proxy?.close();
  if (reg) await destroyRegistry(reg);
});

test('each failure is one escaped ::error annotation; a registry cannot inject a command', async () => {
  const cfg = await writeConfig(dir, `version: 1
${registriesYaml([reg, { host: proxy.host, caFile: reg.caFile }])}images:
  - source: ${reg.host}/jetstack/acmesolver
    targets: [${proxy.host}/hostile]
`);
  const summary = join(dir, 'summary.md');
  const output = join(dir, 'output.txt');
  await Promise.all([writeFile(summary, ''), writeFile(output, '')]);
  const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output, RUNNER_TEMP: dir };
  const run = await runCli(['sync', '-c', cfg], { env });
  assert.equal(run.exitCode, 1, run.stderr);

  const lines = `${run.stdout}\n${run.stderr}`.split(/\r?\n|\r/);
  const commands = lines.filter((l) => l.startsWith('::'));
  const errors = commands.filter((l) => l.startsWith('::error '));
  assert.deepEqual(errors.map((l) => /^::error title=([^:]*)::/.exec(l)?.[1]).sort(), ['v1.0.0', 'v1.1.0'].map((tag) => `${reg.host.replace(':', '%3A')}/jetstack/acmesolver%3A${tag}`));
  for (const e of errors) {
    assert.match(e, new RegExp(`::${proxy.host}/hostile/acmesolver: failed \\(source sha256:[a-f0-9]{64}, target none\\) — `));
    assert.ok(e.includes('manifest refused%0A::error title=pwned::injected by the registry, 100%25%0D%0A::add-mask::x'), e);
  }
  // Nothing but our own commands starts a line: no `::error title=pwned`, no `::add-mask::`.
  for (const c of commands) assert.match(c, /^::(error title=[^:]*::|group::|endgroup::$)/, c);
  assert.equal(commands.filter((c) => c.startsWith('::group::')).length, 1);
  assert.equal(commands.filter((c) => c === '::endgroup::').length, 1);

  const outputs = await readFile(output, 'utf8');
  const value = (name: string) => new RegExp(`^${name}<<(ghadelimiter_[a-f0-9]+)\\n([^\\n]*)\\n\\1$`, 'm').exec(outputs)?.[2];
  assert.equal(value('drift'), '0');
  assert.equal(value('failed'), '2');
  const report = JSON.parse(await readFile(value('report')!, 'utf8')) as { summary: { failed: number } };
  assert.equal(report.summary.failed, 2);
  const md = await readFile(summary, 'utf8');
  assert.match(md, /\| failed \|/);
  assert.ok(!/\n::/.test(md), 'the summary is markdown, not commands');
});

test('publish in GitHub Actions: an escaped ::error for the refused target, the step summary and the outputs', async () => {
  const release = join(dir, 'release');
  await mkdir(release, { recursive: true });
  await writeFile(join(release, 'cmctl-linux-amd64.tar.gz'), 'cmctl release archive\n'.repeat(100));
  const cfg = await writeConfig(dir, `version: 1
${registriesYaml([reg, { host: proxy.host, caFile: reg.caFile }])}binaries:
  - name: cmctl
    artifactType: application/vnd.cert-manager.cmctl.v1
    files: ["cmctl-*.tar.gz"]
    targets: [${reg.host}/cert-manager, ${proxy.host}/hostile]
`, 'publish.yaml');
  const summary = join(dir, 'publish-summary.md');
  const output = join(dir, 'publish-output.txt');
  await Promise.all([writeFile(summary, ''), writeFile(output, '')]);
  const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output, RUNNER_TEMP: dir };
  const run = await runCli(['publish', '-c', cfg, '--tag', 'v1.0.0', '--dir', release], { env });
  assert.equal(run.exitCode, 1, run.stderr);

  const commands = `${run.stdout}\n${run.stderr}`.split(/\r?\n|\r/).filter((l) => l.startsWith('::'));
  const errors = commands.filter((l) => l.startsWith('::error '));
  assert.equal(errors.length, 1, commands.join('\n'));
  assert.match(errors[0]!, new RegExp(`::${proxy.host}/hostile/cmctl: failed`));
  assert.ok(errors[0]!.includes('manifest refused%0A::error title=pwned::'), errors[0]);
  for (const c of commands) assert.match(c, /^::(error title=[^:]*::|group::|endgroup::$)/, c);

  const outputs = await readFile(output, 'utf8');
  const value = (name: string) => new RegExp(`^${name}<<(ghadelimiter_[a-f0-9]+)\\n([^\\n]*)\\n\\1$`, 'm').exec(outputs)?.[2];
  assert.equal(value('failed'), '1');
  const report = JSON.parse(await readFile(value('report')!, 'utf8')) as { summary: { failed: number; copied: number } };
  assert.equal(report.summary.failed, 1);
  assert.equal(report.summary.copied, 1, 'the healthy target got the release');
  assert.match(await readFile(summary, 'utf8'), /\| failed \|/);
});
