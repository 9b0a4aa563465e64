// src/config/user-regex.ts: V8's linear-time fall-back for a user's regex is armed as the first
// one is compiled, not as the CLI loads. Any V8 flag set at run time has Node compile each
// built-in module loaded after it from source (its own code cache no longer used): set at start-up,
// it cost a run 35 ms of CPU. The flag setter is watched here: Node's ES module view of node:v8
// follows its CommonJS exports (syncBuiltinESMExports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire, syncBuiltinESMExports } from 'node:module';

const v8 = createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
const set: string[] = [];
const setFlags = v8.setFlagsFromString;
v8.setFlagsFromString = (flags: string) => {
  set.push(flags);
  setFlags(flags);
};
syncBuiltinESMExports();

test('loading the CLI sets no V8 flag', async () => {
  await import('../../../src/cli/main.js');
  assert.deepEqual(set, []);
});

test("the first user's regex arms the linear-time fall-back, once: a catastrophic rule ends", { timeout: 60_000 }, async () => {
  const { userRegExp } = await import('../../../src/config/user-regex.js');
  const re = userRegExp('(a+)+$');
  assert.deepEqual(set, ['--enable-experimental-regexp-engine-on-excessive-backtracks']);
  // 2^60 steps for the backtracking engine: hours without the fall-back.
  assert.equal(re.test(`${'a'.repeat(60)}-1`), false);
  assert.equal(userRegExp('^v1\\.').test('v1.2.3'), true);
  assert.equal(set.length, 1);
});
