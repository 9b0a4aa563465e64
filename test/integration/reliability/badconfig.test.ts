// Every config mistake, through the real CLI: exit 2, one stderr line `FILE:LINE:COL: message`,
// no stack trace, and not a single request (every host is routed to a proxy that counts).
// Unset credential variables: fatal for a registry the command writes to, a warning otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { repoRoot, runCli, writeConfig, type CliResult } from '../../harness/cli.js';
import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { adminPush } from './helpers.js';
import { scratchDir } from '../../harness/scratch.js';

const BAD = join(repoRoot(), 'test/fixtures/configs/bad');
const FILES = readdirSync(BAD).filter((f) => f.endsWith('.yaml')).sort();
const HOSTS = ['quay.io', 'ghcr.io', 'mirror.internal', 'mirror.internal:8443', 'localhost:5000'];

let proxy: FaultProxy; // every host of the fixtures is sent here; it must see nothing
let dir: string;

before(async () => {
  proxy = await startFaultProxy('http://127.0.0.1:9');
  dir = await scratchDir('badconfig');
});

after(async () => {
  await proxy?.close();
});

function expectation(file: string): { line: number; col: number; fragment: string } {
  const m = /^# expect: (\d+):(\d+) (.+)$/.exec(readFileSync(join(BAD, file), 'utf8').split('\n')[0] ?? '');
  assert.ok(m, `${file} has no "# expect:" line`);
  return { line: Number(m[1]), col: Number(m[2]), fragment: m[3]! };
}

/** One line on stderr, starting with FILE:LINE:COL:, saying `fragment`; nothing else. */
function assertOneLine(run: CliResult, path: string, line: number, col: number, fragment: string, what: string): void {
  assert.equal(run.exitCode, 2, `${what}: exit ${run.exitCode}\n${run.stderr}`);
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `${what}: expected one stderr line, got:\n${run.stderr}`);
  assert.ok(lines[0]!.startsWith(`${path}:${line}:${col}: `), `${what}: "${lines[0]}" does not start with ${path}:${line}:${col}:`);
  assert.ok(lines[0]!.includes(fragment), `${what}: "${lines[0]}" lacks "${fragment}"`);
  assert.doesNotMatch(run.stderr + run.stdout, /\n\s+at |Error: /, `${what}: stack trace or raw error`);
}

const endpoints = () => HOSTS.flatMap((h) => ['--endpoint', `${h}=${proxy.url}`]);

test('the corpus is big enough', () => {
  assert.ok(FILES.length >= 15, `${FILES.length} bad configs`);
});

// validate reads every file; sync and verify (slower to start) each take a different half, 35 runs.
const RUNS: ['validate' | 'sync' | 'verify', string][] = [
  ...FILES.map((f) => ['validate', f] as ['validate', string]),
  ...FILES.filter((_, i) => i % 2 === 0).map((f) => ['sync', f] as ['sync', string]),
  ...FILES.filter((_, i) => i % 2 === 1).slice(0, 15).map((f) => ['verify', f] as ['verify', string]),
];

test('validate, sync and verify refuse every bad config: exit 2, one FILE:LINE:COL line, no request', async () => {
  assert.ok(RUNS.filter(([c]) => c === 'sync').length >= 15 && RUNS.filter(([c]) => c === 'verify').length >= 15);
  const limit = pLimit(3);
  const failures: string[] = [];
  await Promise.all(RUNS.map(([cmd, file]) => limit(async () => {
    const { line, col, fragment } = expectation(file);
    const path = join(BAD, file);
    const args = cmd === 'validate' ? [cmd, '-c', path] : [cmd, '-c', path, ...endpoints()];
    const run = await runCli(args, { env: { QUAY_USER: 'u', QUAY_TOKEN: 'p', GITHUB_ACTOR: 'u', GITHUB_TOKEN: 'p' } });
    try {
      assertOneLine(run, path, line, col, fragment, `${cmd} ${file}`);
    } catch (e) {
      failures.push((e as Error).message.split('\n').slice(0, 3).join(' | '));
    }
  })));
  assert.deepEqual(failures, []);
  assert.equal(proxy.stats.requests, 0, 'a request reached a registry');
});

test('a missing config file: exit 2, one line naming it, no stack trace', async () => {
  const path = join(dir, 'nope', 'mirrors.yaml');
  for (const cmd of ['validate', 'sync', 'verify']) {
    const run = await runCli([cmd, '-c', path]);
    assert.equal(run.exitCode, 2, `${cmd}: ${run.stderr}`);
    const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
    assert.equal(lines.length, 1, run.stderr);
    assert.ok(lines[0]!.startsWith(`${path}:`), `${cmd}: "${lines[0]}" does not start with the file name`);
    assert.match(lines[0]!, /not found|no such file|does not exist|cannot read/i);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  }
});

test('unset credential variables: exit 2 before any request for a written-to registry; a warning for a read-only one', async () => {
  let src: RunningRegistry | undefined;
  let tgt: RunningRegistry | undefined;
  try {
    [src, tgt] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
    await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true });
    const [pSrc, pTgt] = await Promise.all([proxyFor(src), proxyFor(tgt)]);
    const file = await writeConfig(join(dir, 'env'), `version: 1
defaults:
  targets: [${tgt.host}/cert-manager]
registries:
  ${src.host}:
    caFile: ${src.caFile}
    credentials: { usernameEnv: SRC_USER_UNSET, passwordEnv: SRC_PASS_UNSET }
  ${tgt.host}:
    caFile: ${tgt.caFile}
    credentials: { usernameEnv: TGT_USER, passwordEnv: TGT_PASS_UNSET }
images:
  - source: ${src.host}/jetstack/app
`);
    const via = ['--endpoint', `${src.host}=${pSrc.url}`, '--endpoint', `${tgt.host}=${pTgt.url}`];
    try {
      const sync = await runCli(['sync', '-c', file, ...via], { env: { TGT_USER: 'robot' } });
      assert.equal(sync.exitCode, 2, sync.stderr + sync.stdout);
      // Warnings about the read-only source may come first; the error is one line.
      const lines = sync.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('warning: '));
      assert.equal(lines.length, 1, sync.stderr);
      assert.match(lines[0]!, new RegExp(`^${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: .*TGT_PASS_UNSET`));
      assert.equal(pSrc.stats.requests + pTgt.stats.requests, 0, 'a request was made before refusing');

      // The target gets its variable: the unset source variables are a warning, and the run goes on.
      const ok = await runCli(['sync', '-c', file, ...via], { env: { TGT_USER: 'robot', TGT_PASS_UNSET: 'set-now' } });
      assert.equal(ok.exitCode, 0, ok.stderr + ok.stdout);
      assert.match(ok.stderr, /warning: .*SRC_(USER|PASS)_UNSET/);
      // verify writes nothing: every unset variable is only a warning.
      const verify = await runCli(['verify', '-c', file, ...via]);
      assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
      assert.match(verify.stderr, /warning: .*TGT_(USER|PASS_UNSET)/);
    } finally {
      await Promise.all([pSrc.close(), pTgt.close()]);
    }
  } finally {
    await Promise.all([src, tgt].map((r) => r && destroyRegistry(r)));
  }
});
