// plan --explain printed a tag over 40 characters whole, where the report's table above it cuts it
// in its middle (table.ts shortTag): the same tag read two ways, and the columns pushed far right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainJson, renderExplainTable, type TagExplanation } from '../../../src/report/explain.js';
import { shortTag } from '../../../src/report/table.js';

const long = `v1.2.3-build.20261205.${'a'.repeat(30)}-linux-amd64`;
const rows: TagExplanation[] = [
  { source: 'r.example/app', tag: long, selected: true, rule: 'semver', detail: 'matches >=1.0.0' },
  { source: 'r.example/app', tag: 'v1.0.0', selected: false, rule: 'exclude', detail: 'excluded' },
];

test('the --explain table cuts a long tag in its middle as the report table does; JSON keeps it whole', () => {
  const table = renderExplainTable(rows);
  assert.ok(long.length > 40);
  assert.ok(!table.includes(long), table);
  assert.match(table, new RegExp(`^  ${shortTag(long).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +selected +semver +matches >=1\\.0\\.0$`, 'm'));
  assert.match(shortTag(long), /^v1\.2\.3-build.*….*-linux-amd64$/);
  assert.match(table, /^  v1\.0\.0 +dropped +exclude +excluded$/m);
  assert.equal((explainJson(rows)[0] as { tag: string }).tag, long);
});
