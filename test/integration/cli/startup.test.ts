// Commands that never touch the network must not pay for the HTTP stack at start-up: undici and
// the registry client cost about 70 ms of every `--version`, `validate` or `schema` (and a
// static import in one command file, serve's, once pulled them into all of them unnoticed).
// bin/regmirror.js runs the bundle (scripts/bundle.mjs): a chunk loaded stands for the modules
// bundle/meta.json says it holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

/** The modules (dist/…, node_modules/…) of every bundle chunk a CLI run loaded, recorded by a resolve hook. */
async function modulesLoadedBy(args: string[]): Promise<string[]> {
  const dir = await scratchDir('startup');
  const log = join(dir, 'loaded.txt');
  await writeFile(join(dir, 'hooks.mjs'), [
    "import { appendFileSync } from 'node:fs';",
    'export async function resolve(specifier, context, next) {',
    '  const resolved = await next(specifier, context);',
    `  appendFileSync(${JSON.stringify(log)}, resolved.url + '\\n');`,
    '  return resolved;',
    '}',
  ].join('\n'));
  await writeFile(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  // A run that fails (sync against a closed port) still tells what it loaded.
  await promisify(execFile)(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, join(repoRoot(), 'bin', 'regmirror.js'), ...args], { cwd: dir }).catch(() => {});
  const urls = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
  const meta = JSON.parse(await readFile(join(repoRoot(), 'bundle', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const chunks = urls.filter((url) => url.startsWith('file:') && url.includes('/bundle/')).map((url) => `bundle/${url.split('/bundle/')[1]}`);
  assert.ok(chunks.length > 0, 'the hook saw bundle chunks load');
  // A checkout whose node_modules is a symlink (a clone sharing another's) has its dependencies
  // named by the real path (../../elsewhere/node_modules/undici/…): named here as from its own.
  return chunks.flatMap((chunk) => Object.keys(meta.outputs[chunk]?.inputs ?? {}).map((m) => m.replace(/^(?:\.\.\/)+.*?\/node_modules\//, 'node_modules/')));
}

for (const args of [['--version'], ['validate', '-c', join(repoRoot(), 'mirrors.yaml')], ['schema']]) {
  test(`regmirror ${args[0]} loads neither undici nor the registry client`, async () => {
    const loaded = await modulesLoadedBy(args);
    assert.ok(loaded.includes('dist/cli/main.js'), 'the hook saw the CLI load');
    assert.deepEqual(loaded.filter((m) => m.startsWith('node_modules/undici/') || m.startsWith('dist/registry/')), []);
  });
}

test('the hook sees the HTTP stack where it belongs: sync loads it', async () => {
  const dir = await scratchDir('startup-sync');
  const config = join(dir, 'mirrors.yaml');
  await writeFile(config, ['version: 1', 'registries:', '  quay.io: { maxAttempts: 1 }', 'defaults:', '  targets: [quay.io/cert-manager]', 'images:', '  - source: quay.io/jetstack/app', ''].join('\n'));
  // Port 9 on loopback (discard) is closed: the run fails at once, after loading the client.
  const loaded = await modulesLoadedBy(['sync', '-c', config, '--endpoint', 'quay.io=http://127.0.0.1:9', '-q', '--no-progress']);
  assert.ok(loaded.some((m) => m.startsWith('node_modules/undici/')));
  assert.ok(loaded.includes('dist/registry/client.js'));
});

test('a checkout built by tsc alone (no bundle/) gets one line saying to run npm run build, exit 2', async () => {
  const dir = await scratchDir('nobundle');
  await mkdir(join(dir, 'bin'));
  await copyFile(join(repoRoot(), 'bin', 'regmirror.js'), join(dir, 'bin', 'regmirror.js'));
  const run = await promisify(execFile)(process.execPath, [join(dir, 'bin', 'regmirror.js'), '--version']).then(
    () => assert.fail('ran without a bundle'),
    (err: { code?: number; stderr?: string }) => err,
  );
  assert.equal(run.code, 2);
  assert.equal(run.stderr, 'regmirror: bundle/main.js is missing: run `npm run build`\n');
});
