// Commands that never touch the network must not pay for the HTTP stack at start-up: evaluating
// undici and the registry client costs about 70 ms of every `--version`, `validate` or `schema`
// (and a static import in one command file, serve's, once pulled them into all of them unnoticed).
// bin/regmirror.js runs the bundle (scripts/bundle.mjs), which holds every module but evaluates one
// only when a path imports it. undici, once evaluated, installs its global dispatcher under
// Symbol.for('undici.globalDispatcher.2') (its lib/global.js); a preload reads that at exit. The
// registry client imports undici, so it is not evaluated either when undici is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

/** Whether a CLI run evaluated undici, as a preload saw at its exit. */
async function undiciEvaluatedBy(args: string[]): Promise<boolean> {
  const dir = await scratchDir('startup');
  const log = join(dir, 'undici.txt');
  await writeFile(join(dir, 'preload.mjs'), [
    "import { writeFileSync } from 'node:fs';",
    `process.on('exit', () => writeFileSync(${JSON.stringify(log)}, String(Symbol.for('undici.globalDispatcher.2') in globalThis)));`,
  ].join('\n'));
  // A run that fails (sync against a closed port) still tells what it evaluated.
  await promisify(execFile)(process.execPath, ['--import', pathToFileURL(join(dir, 'preload.mjs')).href, join(repoRoot(), 'bin', 'regmirror.js'), ...args], {
    cwd: dir, env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') },
  }).catch(() => {});
  return JSON.parse(await readFile(log, 'utf8')) as boolean;
}

for (const args of [['--version'], ['validate', '-c', join(repoRoot(), 'mirrors.yaml')], ['schema']]) {
  test(`regmirror ${args[0]} evaluates neither undici nor the registry client`, async () => {
    assert.equal(await undiciEvaluatedBy(args), false);
  });
}

test('the preload sees the HTTP stack where it belongs: sync evaluates it', async () => {
  const dir = await scratchDir('startup-sync');
  const config = join(dir, 'mirrors.yaml');
  await writeFile(config, ['version: 1', 'registries:', '  quay.io: { maxAttempts: 1 }', 'defaults:', '  targets: [quay.io/cert-manager]', 'images:', '  - source: quay.io/jetstack/app', ''].join('\n'));
  // Port 9 on loopback (discard) is closed: the run fails at once, after loading the client.
  assert.equal(await undiciEvaluatedBy(['sync', '-c', config, '--endpoint', 'quay.io=http://127.0.0.1:9', '-q', '--no-progress']), true);
});

test('a checkout built by tsc alone (no bundle/) gets one line saying to run npm run build, exit 2', async () => {
  const dir = await scratchDir('nobundle');
  await mkdir(join(dir, 'bin'));
  for (const file of ['regmirror.js', 'compile-cache.js']) await copyFile(join(repoRoot(), 'bin', file), join(dir, 'bin', file));
  const run = await promisify(execFile)(process.execPath, [join(dir, 'bin', 'regmirror.js'), '--version']).then(
    () => assert.fail('ran without a bundle'),
    (err: { code?: number; stderr?: string }) => err,
  );
  assert.equal(run.code, 2);
  assert.equal(run.stderr, 'regmirror: bundle/regmirror.cjs is missing: run `npm run build`\n');
});
