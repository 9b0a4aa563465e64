// plan --explain's decision: every tag selected or dropped, by the rule that decided it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TagRules } from '../../../src/config/model.js';
import { explainTags, type TagDecision } from '../../../src/config/explain.js';
import { selectTags } from '../../../src/config/tags.js';

const DIGEST = 'b'.repeat(64);
const TAGS = ['v1.11.0', 'v1.12.0', 'v1.12.1', 'v1.13.0-rc.1', 'v1.13.0', 'v1.14.0', 'v1.14', 'latest', 'canary', 'v1.13.0-debug', `sha256-${DIGEST}.sig`, '.hidden'];
const rules = (r: Partial<TagRules>): TagRules => ({ include: [], exclude: [], latest: 0, explicit: [], ...r });
const byTag = (d: TagDecision[]) => Object.fromEntries(d.map((x) => [x.tag, `${x.selected ? '+' : '-'} ${x.rule}: ${x.detail}`]));

test('each rule names itself, with its range or pattern', () => {
  const d = byTag(explainTags(TAGS, rules({ semver: '>=1.12.0', prerelease: false, exclude: ['-debug$'], latest: 3, explicit: ['canary', 'v1.11.0'] }), true));
  assert.equal(d['v1.11.0'], '+ explicit: listed in explicit (semver alone would drop it: outside ">=1.12.0")');
  assert.equal(d['v1.12.0'], '- latest: not among the 3 highest version(s)');
  assert.equal(d['v1.12.1'], '+ latest: among the 3 highest version(s)');
  assert.equal(d['v1.13.0-rc.1'], '- prerelease: a prerelease, and prerelease: false');
  assert.equal(d['v1.13.0-debug'], '- prerelease: a prerelease, and prerelease: false');
  assert.equal(d['v1.14'], '- semver: not a semver version (semver: ">=1.12.0")');
  assert.equal(d.latest, '- semver: not a semver version (semver: ">=1.12.0")');
  assert.equal(d.canary, '+ explicit: listed in explicit (semver alone would drop it: not a semver version (semver: ">=1.12.0"))');
  assert.match(d[`sha256-${DIGEST}.sig`]!, /^- referrer: /);
  assert.equal(d['.hidden'], '- invalid-name: not a tag name a registry accepts: sync reports it failed');
});

test('include and exclude name the pattern', () => {
  const d = byTag(explainTags(['v1.0.0', 'v1.0.0-debug', 'nightly'], rules({ include: ['^v'], exclude: ['debug', 'x'] }), true));
  assert.equal(d['v1.0.0'], '+ include: matches /^v/');
  assert.equal(d['v1.0.0-debug'], '- exclude: matches /debug/');
  assert.equal(d.nightly, '- include: matches none of /^v/');
});

test('without rules every valid, non-referrer tag is selected by every-tag', () => {
  const d = explainTags(['latest', 'v1.0.0', 'latest'], rules({}), false);
  assert.deepEqual(d.map((x) => [x.tag, x.selected, x.rule]), [['latest', true, 'every-tag'], ['v1.0.0', true, 'every-tag']]);
});

test('selectTags keeps exactly the tags explainTags selects, for every rule combination', () => {
  const combos: Partial<TagRules>[] = [{}, { semver: '>=1.12.0' }, { semver: '^1.13.0-0', prerelease: true }, { prerelease: false }, { include: ['^v1\\.1[23]'] }, { exclude: ['rc'] }, { latest: 2 }, { latest: 1, explicit: ['latest'] }];
  for (const c of combos) {
    const r = rules(c);
    const selected = explainTags(TAGS, r, true).filter((d) => d.selected).map((d) => d.tag).sort();
    assert.deepEqual([...selectTags(TAGS, r, true)].sort(), selected, JSON.stringify(c));
  }
});
