// The installable package and the GitHub Action, as a user meets them: a clean copy of the
// checkout is packed (scripts/pack.sh), installed into an empty prefix (scripts/install-package.sh,
// npm's cache first), and the installed `regmirror` runs sync and verify against real registries
// from a directory outside any checkout. Then action/run.mjs runs verify as GitHub would, from
// INPUT_* variables, and must leave its outputs and the step summary behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { deleteManifest, seedImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { repoRoot } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let source: RunningRegistry;
let target: RunningRegistry;
let dir: string;
let checkout: string;
let tarball: string;
const TAGS = ['v1.0.0', 'v1.1.0', 'v1.2.0'];
// The children see no GitHub or test variables of the process running the tests.
const cleanEnv = { GITHUB_ACTIONS: undefined, GITHUB_OUTPUT: undefined, GITHUB_STEP_SUMMARY: undefined, NODE_PATH: undefined, REGMIRROR_ROOT: undefined, CI: 'true', NO_COLOR: '1' };

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('package');
  await seedImage({ url: source.url }, { repository: 'jetstack/cert-manager-controller', tags: TAGS, format: 'oci', platforms: 2, signature: true });
  // A clean checkout: the tracked inputs of a build, node_modules borrowed (the machine's npm ci).
  checkout = join(dir, 'checkout');
  await mkdir(checkout);
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'bin', 'scripts', 'src', 'action', 'action.yml']) {
    await cp(join(repoRoot(), entry), join(checkout, entry), { recursive: true });
  }
  await symlink(join(repoRoot(), 'node_modules'), join(checkout, 'node_modules'));
  const packed = await execa('bash', [join(checkout, 'scripts', 'pack.sh'), join(dir, 'pack')], { env: cleanEnv });
  tarball = packed.stdout.trim().split('\n').at(-1)!;
});

after(async () => {
  await Promise.all([source, target].filter(Boolean).map((r) => destroyRegistry(r)));
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the tarball holds the bundled CLI, and nothing of the sources, tests or source maps', async () => {
  const files = (await execa('tar', ['tzf', tarball])).stdout.split('\n');
  for (const must of ['package/package.json', 'package/bin/regmirror.js', 'package/bin/compile-cache.js', 'package/bundle/regmirror.cjs']) assert.ok(files.includes(must), must);
  assert.deepEqual(files.filter((f) => /^package\/(src|test|bench|scripts|action|dist)\/|\.ts$|\.map$/.test(f)), []);
});

test('installed into an empty prefix, regmirror syncs and verifies real registries from outside the checkout', { timeout: 300_000 }, async () => {
  const prefix = join(dir, 'prefix');
  await execa('bash', [join(repoRoot(), 'scripts', 'install-package.sh'), prefix, tarball], { env: cleanEnv });
  const installed = join(prefix, 'lib', 'node_modules');
  assert.ok(existsSync(join(installed, 'regmirror', 'node_modules', 'undici')), 'runtime dependencies installed');
  for (const dev of ['typescript', 'ajv', '@types']) assert.ok(!existsSync(join(installed, 'regmirror', 'node_modules', dev)), `${dev} is a dev dependency`);

  const work = join(dir, 'work');
  await mkdir(work);
  await writeFile(join(work, 'mirrors.yaml'), `version: 1
defaults:
  targets: [${target.host}/cert-manager]
${registriesYaml([source, target])}images:
  - source: ${source.host}/jetstack/cert-manager-controller
`);
  const regmirror = (args: string[]) => execa(join(prefix, 'bin', 'regmirror'), args, { cwd: work, reject: false, env: cleanEnv });
  const validate = await regmirror(['validate']);
  assert.equal(validate.exitCode, 0, validate.stderr);
  const sync = await regmirror(['sync', '--report', 'sync.json']);
  assert.equal(sync.exitCode, 0, sync.stderr);
  for (const tag of TAGS) {
    assert.equal(await skopeoDigest(`docker://${target.host}/cert-manager/cert-manager-controller:${tag}`), await skopeoDigest(`docker://${source.host}/jetstack/cert-manager-controller:${tag}`));
  }
  const verify = await regmirror(['verify', '--format', 'json']);
  assert.equal(verify.exitCode, 0, verify.stderr);
  assert.equal((JSON.parse(verify.stdout) as { summary: { inSync: number } }).summary.inSync, TAGS.length);
  const render = await regmirror(['report', 'render', 'sync.json', '--format', 'html']);
  assert.equal(render.exitCode, 0, render.stderr);
  assert.equal((await regmirror(['schema'])).exitCode, 0);
});

test('the action script, run as GitHub runs it, verifies and writes its outputs and the step summary', { timeout: 300_000 }, async () => {
  await deleteManifest({ url: target.url }, 'cert-manager/cert-manager-controller', 'v1.1.0');
  const runner = join(dir, 'runner');
  await mkdir(runner);
  const output = join(runner, 'output');
  const summary = join(runner, 'summary.md');
  await Promise.all([writeFile(output, ''), writeFile(summary, '')]);
  const cfg = join(dir, 'work', 'mirrors.yaml');
  const run = await execa(process.execPath, [join(checkout, 'action', 'run.mjs')], {
    cwd: runner, reject: false,
    env: {
      ...cleanEnv, GITHUB_ACTIONS: 'true', GITHUB_ACTION_PATH: checkout, RUNNER_TEMP: runner, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary,
      INPUT_COMMAND: 'verify', INPUT_CONFIG: cfg, INPUT_ARGS: "--format 'markdown'", INPUT_VERSION: '20',
    },
  });
  assert.equal(run.exitCode, 1, `${run.stdout}\n${run.stderr}`);
  const outputs = await readFile(output, 'utf8');
  const value = (name: string) => new RegExp(`^${name}<<(ghadelimiter_[a-f0-9]+)\\n([^\\n]*)\\n\\1$`, 'm').exec(outputs)?.[2];
  assert.equal(value('exit-code'), '1');
  assert.equal(value('drift'), '1');
  assert.equal(value('failed'), '0');
  const report = JSON.parse(await readFile(value('report')!, 'utf8')) as { summary: { drift: number; inSync: number } };
  assert.deepEqual([report.summary.drift, report.summary.inSync], [1, 2]);
  assert.match(await readFile(summary, 'utf8'), /\| in sync \| drift \|/);
  assert.match(run.stderr, new RegExp(`^::error title=${source.host.replace(':', '%3A')}/jetstack/cert-manager-controller%3Av1\\.1\\.0::${target.host}/cert-manager/cert-manager-controller: missing \\(source sha256:`, 'm'));
  assert.match(run.stdout, /\| .*v1\.1\.0 .*missing/, 'the markdown report on stdout');
});
