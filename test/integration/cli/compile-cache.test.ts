// bin/compile-cache.js: a command's second run starts from the compiled code its first left in
// $XDG_CACHE_HOME/regmirror. A cache V8 takes is never written again (its file keeps its inode);
// one it refuses (another V8's, other flags, damaged) is replaced; none of it ever changes what a
// run does or how it ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot, runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

async function cacheFiles(home: string): Promise<Map<string, number>> {
  const dir = join(home, 'regmirror');
  const names = await readdir(dir).catch(() => [] as string[]);
  return new Map(await Promise.all(names.sort().map(async (n) => [n, (await stat(join(dir, n))).ino] as [string, number])));
}

async function version(home: string, env: Record<string, string> = {}) {
  const run = await runCli(['--version'], { env: { XDG_CACHE_HOME: home, ...env } });
  assert.equal(run.exitCode, 0, run.stderr);
  assert.match(run.stdout, /^\d+\.\d+\.\d+\n$/);
}

test("a command's first run leaves its compiled code; the next runs take it as it is", async () => {
  const home = await scratchDir('compile-cache');
  await version(home);
  const first = await cacheFiles(home);
  assert.equal(first.size, 1);
  assert.match([...first.keys()][0]!, /^[0-9a-f]{16}-none\.v8$/);
  // Had V8 refused it (the bundle's regex flag set after the compile, say), each run would write it anew.
  await version(home);
  await version(home);
  assert.deepEqual(await cacheFiles(home), first);
  // Another command compiles other paths: a cache of its own.
  const schema = await runCli(['schema'], { env: { XDG_CACHE_HOME: home } });
  assert.equal(schema.exitCode, 0);
  assert.deepEqual([...(await cacheFiles(home)).keys()].map((n) => n.slice(17)), ['none.v8', 'schema.v8']);
});

test("a run that compiled a user's regex leaves a cache the next runs take", async () => {
  // A tag rule arms V8's linear-time regex fall-back, a V8 flag (src/config/user-regex.ts); a cache
  // made under it would be refused by every run that starts without it, and written anew each time.
  const home = await scratchDir('compile-cache-regex');
  const config = await writeConfig(home, `version: 1
defaults:
  targets: [oci:${join(home, 'mirror')}]
  tags: { include: ["^b1$"] }
images:
  - source: oci:${join(repoRoot(), 'test', 'fixtures', 'thirdparty', 'regclient-testrepo')}
`);
  const sync = async () => {
    const run = await runCli(['sync', '-c', config, '--no-progress'], { env: { XDG_CACHE_HOME: home } });
    assert.equal(run.exitCode, 0, run.stderr);
  };
  await sync();
  const first = await cacheFiles(home);
  assert.deepEqual([...first.keys()].map((n) => n.slice(17)), ['sync.v8']);
  await sync();
  await sync();
  assert.deepEqual(await cacheFiles(home), first);
});

test('a damaged cache is refused and replaced, and the run goes on as if there were none', async () => {
  const home = await scratchDir('compile-cache-damaged');
  await version(home);
  const [name] = [...(await cacheFiles(home)).keys()];
  await writeFile(join(home, 'regmirror', name!), 'not V8 code');
  await version(home);
  const replaced = await cacheFiles(home);
  assert.ok((await stat(join(home, 'regmirror', name!))).size > 1000, 'written anew');
  await version(home);
  assert.deepEqual(await cacheFiles(home), replaced);
});

test('no cache from a run that failed, with REGMIRROR_NO_COMPILE_CACHE=1 or -v; an unwritable place changes nothing', async () => {
  const home = await scratchDir('compile-cache-none');
  const failed = await runCli(['validate', '-c', join(home, 'absent.yaml')], { env: { XDG_CACHE_HOME: home } });
  assert.equal(failed.exitCode, 2);
  await version(home, { REGMIRROR_NO_COMPILE_CACHE: '1' });
  const verbose = await runCli(['-v', '--version'], { env: { XDG_CACHE_HOME: home } });
  assert.equal(verbose.exitCode, 0);
  assert.equal((await cacheFiles(home)).size, 0);
  // A file where the directory would go: mkdir fails, the run does not.
  const blocked = join(home, 'blocked');
  await writeFile(blocked, '');
  await version(blocked);
});

test("other builds' caches idle an hour are removed when a cache is written; recent ones are kept", async () => {
  const home = await scratchDir('compile-cache-prune');
  await mkdir(join(home, 'regmirror'));
  const stale = join(home, 'regmirror', '0000000000000000-sync.v8');
  const recent = join(home, 'regmirror', '1111111111111111-sync.v8');
  await writeFile(stale, 'old build');
  await writeFile(recent, 'another checkout');
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  await utimes(stale, twoHoursAgo, twoHoursAgo);
  await version(home);
  const names = [...(await cacheFiles(home)).keys()];
  assert.ok(!names.includes('0000000000000000-sync.v8'), names.join(' '));
  assert.ok(names.includes('1111111111111111-sync.v8'), names.join(' '));
  assert.equal(names.length, 2);
});
