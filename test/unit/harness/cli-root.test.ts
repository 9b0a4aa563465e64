// The CLI harness finds the checkout from wherever the tests were compiled to.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../harness/cli.js';

describe('repoRoot', () => {
  it('is the directory of the package.json named regmirror, holding bin/regmirror.js', () => {
    const root = repoRoot();
    assert.equal((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string }).name, 'regmirror');
    assert.ok(existsSync(join(root, 'bin', 'regmirror.js')));
  });
});
