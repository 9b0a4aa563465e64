// --filter globs, target repositories per image, and --shard partitions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load.js';
import { globToRegExp, imageWork, inShard, parseShard } from '../../../src/config/workitems.js';
import { UsageError } from '../../../src/types/errors.js';

const config = parseConfig(
  [
    'version: 1',
    'defaults: { targets: [quay.io/cert-manager, ghcr.io/cert-manager] }',
    'images:',
    '  - source: quay.io/jetstack/cert-manager-controller',
    '  - source: quay.io/jetstack/cert-manager-webhook',
    '  - source: quay.io/jetstack/cert-manager-ctl',
    '    name: cmctl',
    '  - source: quay.io/jetstack/charts/cert-manager',
    '    targets: [quay.io/cert-manager/charts, oci:./out]',
  ].join('\n'),
  'm.yaml',
);

const names = (filters: string[]) => imageWork(config, filters).map((w) => w.item.name);

test('imageWork resolves each image to its target repositories', () => {
  const work = imageWork(config, []);
  assert.deepEqual(work.map((w) => w.index), [0, 1, 2, 3]);
  assert.equal(work[2]!.sourceDisplay, 'quay.io/jetstack/cert-manager-ctl');
  assert.deepEqual(work[2]!.targets.map((t) => t.display), ['quay.io/cert-manager/cmctl', 'ghcr.io/cert-manager/cmctl']);
  assert.deepEqual(work[3]!.targets.map((t) => t.display), ['quay.io/cert-manager/charts/cert-manager', 'oci:./out/cert-manager']);
  assert.deepEqual(work[3]!.targets[0]!.ref, { scheme: 'registry', registry: 'quay.io', repository: 'cert-manager/charts/cert-manager' });
});

test('--filter matches the name, the source basename or the full source', () => {
  assert.deepEqual(names(['cmctl']), ['cmctl']);
  assert.deepEqual(names(['cert-manager-ctl']), ['cmctl']);
  assert.deepEqual(names(['cert-manager-*']), ['cert-manager-controller', 'cert-manager-webhook', 'cmctl']);
  assert.deepEqual(names(['quay.io/jetstack/charts/*']), ['cert-manager']);
  assert.deepEqual(names(['*webhook', 'cmctl']), ['cert-manager-webhook', 'cmctl']);
  assert.deepEqual(names(['nothing']), []);
});

test('* stays inside one path component, ** crosses "/"', () => {
  assert.deepEqual(names(['quay.io/*/cert-manager']), []);
  assert.deepEqual(names(['quay.io/**/cert-manager']), ['cert-manager']);
  assert.deepEqual(names(['quay.io/**']), ['cert-manager-controller', 'cert-manager-webhook', 'cmctl', 'cert-manager']);
  assert.equal(globToRegExp('a.b').test('axb'), false, 'dots are literal');
  assert.equal(globToRegExp('a?c').test('abc'), true);
  assert.equal(globToRegExp('a?c').test('a/c'), false);
  assert.equal(globToRegExp('web').test('webhook'), false, 'anchored');
});

test('parseShard accepts K/N with 1 ≤ K ≤ N only', () => {
  assert.deepEqual(parseShard('1/1'), { index: 1, count: 1 });
  assert.deepEqual(parseShard('3/7'), { index: 3, count: 7 });
  for (const bad of ['0/3', '4/3', '1/0', '1', '/3', 'a/b', '1/2/3', '-1/2', '1.5/3', '']) {
    assert.throws(() => parseShard(bad), UsageError, bad);
  }
});

test('shards are disjoint and cover every (repository, tag) for N = 1..7', () => {
  const pairs: [string, string][] = [];
  for (let i = 0; i < 500; i++) pairs.push([`quay.io/cert-manager/repo-${i % 13}`, `v1.${i % 40}.${Math.floor(i / 40)}`]);
  for (let n = 1; n <= 7; n++) {
    const sizes = new Array<number>(n).fill(0);
    for (const [repo, tag] of pairs) {
      const owners = [];
      for (let k = 1; k <= n; k++) if (inShard(repo, tag, { index: k, count: n })) owners.push(k);
      assert.equal(owners.length, 1, `${repo}:${tag} with N=${n} is in shards ${owners.join(',')}`);
      sizes[owners[0]! - 1]!++;
    }
    if (n > 1) assert.ok(sizes.every((s) => s > 0), `N=${n}: an empty shard ${sizes.join(',')}`);
  }
});

test('shard membership is stable across runs (fixed hash, not Math.random or insertion order)', () => {
  // sha256("quay.io/cert-manager/cert-manager-controller\nv1.14.0"), first 8 bytes mod 5, is fixed.
  const owners = [1, 2, 3, 4, 5].filter((k) => inShard('quay.io/cert-manager/cert-manager-controller', 'v1.14.0', { index: k, count: 5 }));
  assert.deepEqual(owners, [EXPECTED_SHARD_OF_5]);
});

const EXPECTED_SHARD_OF_5 = 2;
