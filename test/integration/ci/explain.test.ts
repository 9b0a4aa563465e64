// `plan --explain` against a real registry: every source tag appears, and every dropped tag names
// the rule (and pattern or range) that dropped it, in JSON and in the table.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { listTags, seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let reg: RunningRegistry;
let dir: string;
let sigTag: string;

before(async () => {
  reg = await startRegistry({ tls: true });
  dir = await scratchDir('explain');
  const seeded = await seedImage({ url: reg.url }, { repository: 'jetstack/cainjector', tags: ['v1.0.0', 'v1.1.0', 'v1.1.1', 'v1.2.0-rc.1', 'v1.2.0', 'v2.0.0', 'latest'], format: 'oci', single: true, signature: true });
  sigTag = Object.keys(seeded[0]!.referrerTags)[0]!;
});

after(async () => reg && destroyRegistry(reg));

interface Row { source: string; tag: string; selected: boolean; rule: string; detail: string }

test('plan --explain names the rule of every dropped tag, in JSON and in the table', async () => {
  const cfg = await writeConfig(dir, `version: 1
defaults:
  targets: [${reg.host}/mirror]
${registriesYaml([reg])}images:
  - source: ${reg.host}/jetstack/cainjector
    tags: { semver: ">=1.1.0", prerelease: false, exclude: ["^v2"], latest: 2, explicit: [latest, v0.1.0] }
`);
  const json = await runCli(['plan', '-c', cfg, '--explain', '--format', 'json']);
  assert.equal(json.exitCode, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { results: { tag: string }[]; explain: Row[] };
  const rows = Object.fromEntries(parsed.explain.map((r) => [r.tag, `${r.selected ? 'selected' : 'dropped'} ${r.rule}: ${r.detail}`]));
  const sourceTags = await listTags({ url: reg.url }, 'jetstack/cainjector');
  assert.deepEqual(Object.keys(rows).filter((t) => t !== 'v0.1.0').sort(), [...sourceTags].sort(), 'every source tag is explained');
  assert.equal(rows['v1.0.0'], 'dropped semver: outside ">=1.1.0"');
  assert.equal(rows['v1.1.0'], 'dropped latest: not among the 2 highest version(s)');
  assert.equal(rows['v1.2.0-rc.1'], 'dropped prerelease: a prerelease, and prerelease: false');
  assert.equal(rows['v2.0.0'], 'dropped exclude: matches /^v2/');
  assert.match(rows[sigTag]!, /^dropped referrer: /);
  assert.equal(rows['v0.1.0'], 'dropped explicit: listed in explicit, but the source has no such tag');
  assert.match(rows.latest!, /^selected explicit: /);
  assert.match(rows['v1.1.1']!, /^selected latest/);
  // What --explain selects is what the plan does.
  assert.deepEqual(parsed.explain.filter((r) => r.selected).map((r) => r.tag).sort(), parsed.results.map((r) => r.tag).sort());

  const table = await runCli(['plan', '-c', cfg, '--explain']);
  assert.equal(table.exitCode, 0, table.stderr);
  const dropped: [string, string][] = [['v1.0.0', 'semver'], ['v1.1.0', 'latest'], ['v1.2.0-rc.1', 'prerelease'], ['v2.0.0', 'exclude']];
  for (const [tag, rule] of dropped) {
    assert.match(table.stdout, new RegExp(`^  ${tag.replace(/\./g, '\\.')}\\s+dropped\\s+${rule}\\s`, 'm'), `${tag} dropped by ${rule} in:\n${table.stdout}`);
  }
  assert.match(table.stdout, /^  and 7 referrer tag\(s\) \(sha256-….sig\/.att\/.sbom\), dropped as tags: /m);
});

test('validate --explain needs no network: the explicit tags, and a pointer to plan --explain', async () => {
  const cfg = await writeConfig(join(dir, 'offline'), `version: 1
defaults:
  targets: [127.0.0.1:9/mirror]
images:
  - source: 127.0.0.1:9/jetstack/unreachable
    tags: { explicit: [v1.4.0, v1.5.0] }
`);
  const run = await runCli(['validate', '-c', cfg, '--explain', '--format', 'json']);
  assert.equal(run.exitCode, 0, run.stderr);
  const rows = (JSON.parse(run.stdout) as { explain: Row[] }).explain;
  assert.deepEqual(rows.map((r) => [r.tag, r.selected, r.rule]), [['v1.4.0', true, 'explicit'], ['v1.5.0', true, 'explicit']]);
});
