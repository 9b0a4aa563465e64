// Every file in test/fixtures/configs/bad states, on its first line, where its error must be
// reported and what the message must say: `# expect: LINE:COL fragment`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/types/errors.js';
import { CONFIG_FIXTURES } from './fixtures.js';

const dir = path.join(CONFIG_FIXTURES, 'bad');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

test('the bad corpus has at least 20 cases', () => {
  assert.ok(files.length >= 20, `only ${files.length} bad configs`);
});

for (const name of files) {
  test(`bad/${name}`, () => {
    const text = readFileSync(path.join(dir, name), 'utf8');
    const m = /^# expect: (\d+):(\d+) (.+)$/m.exec(text.split('\n')[0] ?? '');
    assert.ok(m, `${name}: first line must be "# expect: LINE:COL fragment"`);
    const [, line, col, fragment] = m;
    const err = catchError(() => parseConfig(text, name, dir));
    assert.ok(err instanceof ConfigError, `${name}: expected a ConfigError, got ${String(err)}`);
    assert.ok(err.detail.includes(fragment!), `${name}: message "${err.detail}" lacks "${fragment}"`);
    assert.deepEqual([err.line, err.col], [Number(line), Number(col)], `${name}: ${err.message}`);
    assert.ok(err.message.startsWith(`${name}:${line}:${col}: `));
    assert.ok(!err.message.includes('\n'), 'one line');
    assert.ok(!/SECRET|hunter2|p4ssw0rd/.test(err.message), 'a secret value leaked into the message');
  });
}

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}
