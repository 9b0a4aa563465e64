// The action's `args` input split as a shell would split it, with nothing expanded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../harness/cli.js';

const { splitArgs } = (await import(pathToFileURL(join(repoRoot(), 'action', 'args.mjs')).href)) as { splitArgs: (s: string) => string[] };

test('spaces split; quotes and backslashes group; nothing is expanded', () => {
  assert.deepEqual(splitArgs('  --tag v1.16.0   --format html -o "my report.html" '), ['--tag', 'v1.16.0', '--format', 'html', '-o', 'my report.html']);
  assert.deepEqual(splitArgs(`--filter 'cert-manager-*' --endpoint a\\ b "" $HOME`), ['--filter', 'cert-manager-*', '--endpoint', 'a b', '', '$HOME']);
  assert.deepEqual(splitArgs(''), []);
});

test('an unclosed quote is an error, not a guess', () => {
  assert.throws(() => splitArgs('--tag "v1'), /unclosed " quote/);
});
