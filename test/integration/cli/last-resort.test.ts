// A fault that escapes every layer of the CLI (thrown from a library's callback, or a promise
// nobody awaited) ends the run with one line and exit 1, as SPEC asks of every error, and the
// stack trace only with -v. The fault is planted by a preload module, mid-run: a sync whose source
// holds its answers, so the run is still waiting when it comes. Work left waiting on itself (a
// deadlock: a promise nothing will settle, nothing left to run) is one such fault, not Node's
// silent exit 13.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let silent: Server;
let dir: string;
let config: string;

before(async () => {
  // A registry that takes every request and never answers: the run waits, the fault comes.
  silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
  dir = await scratchDir('last-resort');
  config = await writeConfig(join(dir, 'cfg'), `version: 1\ndefaults:\n  targets: [${host}/mirror]\nimages:\n  - source: ${host}/jetstack/app\n`);
});
after(() => { silent.closeAllConnections(); silent.close(); });

async function plant(name: string, code: string): Promise<string> {
  const file = join(dir, `${name}.mjs`);
  await writeFile(file, `setTimeout(() => { ${code} }, 400);\n`);
  return `--import=${pathToFileURL(file).href}`;
}

for (const [kind, code] of [
  ['an exception thrown from a callback', "throw new Error('a fault no layer caught');"],
  ['a promise rejected with nobody listening', "Promise.reject(new Error('a fault no layer caught'));"],
] as const) {
  test(`${kind}: one line, exit 1; the stack trace with -v`, async () => {
    const preload = await plant(kind.split(' ')[1]!, code);
    const quiet = await runCli(['sync', '-c', config, '--no-progress'], { env: { NODE_OPTIONS: preload }, timeoutMs: 30_000 });
    assert.equal(quiet.exitCode, 1, quiet.stderr);
    assert.equal(quiet.stderr, 'regmirror: internal error: a fault no layer caught; the run stopped (a rerun resumes). Please report it, with the stack trace from -v\n');
    const verbose = await runCli(['sync', '-c', config, '--no-progress', '-v'], { env: { NODE_OPTIONS: preload }, timeoutMs: 30_000 });
    assert.equal(verbose.exitCode, 1, verbose.stderr);
    assert.match(verbose.stderr, /^regmirror: internal error: a fault no layer caught; the run stopped \(a rerun resumes\)\. Please report it\n/m);
    assert.match(verbose.stderr, /^Error: a fault no layer caught\n\s+at /m);
  });
}

test('work left waiting on itself (nothing left to run; Node would exit 13 without a word): one line, exit 1', async () => {
  // Reading the config never ends and holds nothing open: the run waits on a promise nothing will
  // settle. (Only the config: Node's module loader reads the CLI's own files with readFile too.)
  const file = join(dir, 'deadlock.mjs');
  await writeFile(file, [
    "import { syncBuiltinESMExports } from 'node:module';",
    "import fsp from 'node:fs/promises';",
    'const readFile = fsp.readFile;',
    "fsp.readFile = (path, ...rest) => (String(path).endsWith('.yaml') ? new Promise(() => {}) : readFile(path, ...rest));",
    'syncBuiltinESMExports();',
  ].join('\n'));
  const run = await runCli(['sync', '-c', config, '--no-progress'], { env: { NODE_OPTIONS: `--import=${pathToFileURL(file).href}` }, timeoutMs: 30_000 });
  assert.equal(run.exitCode, 1, run.stderr);
  assert.equal(run.stderr, 'regmirror: internal error: work was left waiting on itself, with nothing to run it (a deadlock); the run stopped (a rerun resumes). Please report it, with the stack trace from -v\n');
});
