// Tag selection over tag lists shaped like cert-manager's: v-prefixed images, charts published
// as both v1.2.3 and 1.2.3, prereleases, floating tags and cosign/referrer tags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TagRules } from '../../../src/config/model.js';
import parseSemver from 'semver/functions/parse.js';
import { isReleaseTag, missingExplicit, selectTags, tagVersion } from '../../../src/config/tags.js';

const DIGEST = 'a'.repeat(64);
const REFERRERS = [`sha256-${DIGEST}.sig`, `sha256-${DIGEST}.att`, `sha256-${DIGEST}.sbom`, `sha256-${DIGEST}`];
const IMAGE_TAGS = ['v1.11.0', 'v1.12.0', 'v1.12.1', 'v1.13.0-alpha.0', 'v1.13.0-rc.1', 'v1.13.0', 'v1.14', 'latest', 'canary', ...REFERRERS];
const CHART_TAGS = ['v1.12.0', '1.12.0', 'v1.13.0', '1.13.0', 'v1.14.0', '1.14.0', 'v1.14.0-beta.0', '1.14.0-beta.0'];

const rules = (r: Partial<TagRules>): TagRules => ({ include: [], exclude: [], latest: 0, explicit: [], ...r });

test('without rules every tag but referrer tags is selected, releases first', () => {
  assert.deepEqual(selectTags(IMAGE_TAGS, rules({}), false), [
    'v1.11.0', 'v1.12.0', 'v1.12.1', 'v1.13.0-alpha.0', 'v1.13.0-rc.1', 'v1.13.0', 'canary', 'latest', 'v1.14',
  ]);
});

test('a semver range drops floating tags and, by node-semver default, prereleases', () => {
  assert.deepEqual(selectTags(IMAGE_TAGS, rules({ semver: '>=1.12.0' }), true), ['v1.12.0', 'v1.12.1', 'v1.13.0']);
});

test('prerelease true takes prereleases inside the range', () => {
  assert.deepEqual(selectTags(IMAGE_TAGS, rules({ semver: '>=1.12.0', prerelease: true }), true), [
    'v1.12.0', 'v1.12.1', 'v1.13.0-alpha.0', 'v1.13.0-rc.1', 'v1.13.0',
  ]);
});

test('prerelease false drops prereleases even when the range names one', () => {
  assert.deepEqual(selectTags(IMAGE_TAGS, rules({ semver: '>=1.13.0-alpha.0', prerelease: false }), true), ['v1.13.0']);
  assert.deepEqual(selectTags(IMAGE_TAGS, rules({ semver: '>=1.13.0-alpha.0' }), true), ['v1.13.0-alpha.0', 'v1.13.0-rc.1', 'v1.13.0']);
});

test('prerelease false without a range keeps floating tags', () => {
  assert.deepEqual(selectTags(IMAGE_TAGS, rules({ prerelease: false }), true), ['v1.11.0', 'v1.12.0', 'v1.12.1', 'v1.13.0', 'canary', 'latest', 'v1.14']);
});

test('v1.14 is not a version (no coercion)', () => {
  assert.equal(isReleaseTag('v1.14'), false);
  assert.equal(isReleaseTag('latest'), false);
  assert.equal(isReleaseTag('v1.14.0'), true);
  assert.equal(isReleaseTag('1.14.0-rc.1'), true);
  assert.deepEqual(selectTags(['v1.14', 'v1.14.0'], rules({ semver: '^1.14.0' }), true), ['v1.14.0']);
});

test('chart tags: v-prefixed and bare tags of one version are both selected, in semver order', () => {
  assert.deepEqual(selectTags(CHART_TAGS, rules({ semver: '>=1.13.0', prerelease: false }), true), ['1.13.0', 'v1.13.0', '1.14.0', 'v1.14.0']);
});

test('latest N counts v1.2.3 and 1.2.3 as one version and keeps both', () => {
  assert.deepEqual(selectTags(CHART_TAGS, rules({ latest: 2, prerelease: false }), true), ['1.13.0', 'v1.13.0', '1.14.0', 'v1.14.0']);
  assert.deepEqual(selectTags(IMAGE_TAGS, rules({ latest: 1 }), true), ['v1.13.0']);
});

test('include and exclude regexes', () => {
  assert.deepEqual(selectTags(IMAGE_TAGS, rules({ include: ['^v1\\.12\\.', '^latest$'] }), true), ['v1.12.0', 'v1.12.1', 'latest']);
  assert.deepEqual(selectTags(IMAGE_TAGS, rules({ exclude: ['-', '^v1\\.1[12]'] }), true), ['v1.13.0', 'canary', 'latest', 'v1.14']);
});

test('explicit tags are added whatever the rules say, but never referrer tags or tags the source lacks', () => {
  const r = rules({ semver: '>=1.13.0', prerelease: false, explicit: ['v1.11.0', 'latest', 'v0.1.0', `sha256-${DIGEST}.sig`] });
  assert.deepEqual(selectTags(IMAGE_TAGS, r, true), ['v1.11.0', 'v1.13.0', 'latest']);
  assert.deepEqual(missingExplicit(IMAGE_TAGS, r), ['v0.1.0']);
});

test('referrer tags are never selected, and duplicates in the input collapse', () => {
  assert.deepEqual(selectTags([...REFERRERS, 'v1.0.0', 'v1.0.0'], rules({}), false), ['v1.0.0']);
  assert.deepEqual(selectTags(REFERRERS, rules({ include: ['sha256'] }), true), []);
});

test('a chart version with build metadata (helm push stores 1.2.3+build.4 as the tag 1.2.3_build.4) is that release', () => {
  const tags = ['0.9.0', '1.2.3', '1.2.3_build.4', '1.2.4', 'v1.2.5_rc_1', '_latest', 'latest'];
  assert.equal(isReleaseTag('1.2.3_build.4'), true);
  assert.equal(isReleaseTag('_latest'), false);
  assert.deepEqual(selectTags(tags, rules({ semver: '>=1.0.0' }), true), ['1.2.3', '1.2.3_build.4', '1.2.4']);
  assert.deepEqual(selectTags(tags, rules({}), false), ['0.9.0', '1.2.3', '1.2.3_build.4', '1.2.4', '_latest', 'latest', 'v1.2.5_rc_1']);
});

test('a tag is a release exactly when semver parses it (the quick refusal of what cannot start as N.N.N agrees)', () => {
  const tags = [...IMAGE_TAGS, ...CHART_TAGS, 'vv1.2.3', 'v01.2.3', '1.2.3_build.4', '1.2.3-rc.1_b', 'v1.2.3.4', '1.2', 'v', '', '1.2.3-', 'x1.2.3', '1.2.3 ', ' 1.2.3', '=1.2.3', `1.2.${'9'.repeat(20)}`, `1.2.3-${'a'.repeat(260)}`];
  for (const tag of tags) {
    const version = tag.replaceAll('_', '+');
    const expected = parseSemver(version.startsWith('v') ? version.slice(1) : version)?.version ?? null;
    assert.equal(tagVersion(tag)?.version ?? null, expected, tag);
    assert.equal(isReleaseTag(tag), expected !== null, tag);
  }
});
