// SPEC lists -v among the common options; `validate -v` ended in "unknown option '-v'" (exit 2)
// as if the config were invalid, so a CI step that adds -v to every command failed at validate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot, runCli } from '../../harness/cli.js';

test('validate takes -v: a valid config is valid with it (exit 0), and an invalid one is still one FILE:LINE:COL line (exit 2)', async () => {
  const valid = await runCli(['validate', '-c', join(repoRoot(), 'mirrors.yaml'), '-v']);
  assert.equal(valid.exitCode, 0, valid.stderr);
  assert.match(valid.stdout, /valid — \d+ image/);
  const bad = await runCli(['validate', '-c', join(repoRoot(), 'test/fixtures/configs/bad/duplicate-key.yaml'), '-v']);
  assert.equal(bad.exitCode, 2, bad.stderr);
  assert.match(bad.stderr, /duplicate-key\.yaml:\d+:\d+: /);
  assert.doesNotMatch(bad.stderr, /unknown option/);
});
