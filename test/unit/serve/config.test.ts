import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.js';
import { readLock } from '../../../src/lock/file.js';
import { ConfigError } from '../../../src/types/errors.js';
import { formatRepository } from '../../../src/types/reference.js';
import { scratchDir } from '../../harness/scratch.js';

const base = `version: 1
defaults:
  targets: [quay.io/cert-manager, ghcr.io/cert-manager]
images:
  - source: quay.io/jetstack/cert-manager-controller
  - source: quay.io/jetstack/charts/cert-manager
    targets: [quay.io/cert-manager/charts, ghcr.io/cert-manager/charts]
binaries:
  - name: cmctl
    artifactType: application/vnd.cert-manager.cmctl.v1
    urls: ["https://github.com/cert-manager/cmctl/releases/download/{tag}/cmctl.tar.gz"]
`;

test('defaults: every image under its name; targets in order, then the source', () => {
  const c = parseConfig(`${base}lock: ./mirrors.lock\ngateway: {}\n`, 'm.yaml', '/etc/rm');
  const g = c.gateway!;
  assert.deepEqual(g.listen, { host: '0.0.0.0', port: 8080 });
  assert.equal(g.events, '-');
  assert.equal(g.healthInterval, 5);
  assert.equal(g.shutdownDelay, 5);
  assert.equal(c.lock, '/etc/rm/mirrors.lock');
  assert.deepEqual(g.images.map((i) => [i.path, i.backends.map(formatRepository)]), [
    ['cert-manager-controller', ['quay.io/cert-manager/cert-manager-controller', 'ghcr.io/cert-manager/cert-manager-controller', 'quay.io/jetstack/cert-manager-controller']],
    ['cert-manager', ['quay.io/cert-manager/charts/cert-manager', 'ghcr.io/cert-manager/charts/cert-manager', 'quay.io/jetstack/charts/cert-manager']],
  ]);
  assert.deepEqual(g.binaries.map((b) => b.item.name), ['cmctl']);
});

test('paths, backend preference, events file, listen', () => {
  const c = parseConfig(`${base}gateway:
  listen: "[::]:9000"
  host: img.cert-manager.io
  images:
    - { path: charts/cert-manager, source: quay.io/jetstack/charts/cert-manager }
  backends: [ghcr.io/cert-manager/charts]
  events: ./events.ndjson
  healthInterval: 2
`, 'm.yaml', '/srv');
  const g = c.gateway!;
  assert.deepEqual(g.listen, { host: '::', port: 9000 });
  assert.equal(g.events, '/srv/events.ndjson');
  assert.deepEqual(g.images.map((i) => [i.path, i.backends.map(formatRepository)]), [
    ['charts/cert-manager', ['ghcr.io/cert-manager/charts/cert-manager', 'quay.io/cert-manager/charts/cert-manager', 'quay.io/jetstack/charts/cert-manager']],
  ]);
});

test('mistakes are ConfigErrors at FILE:LINE:COL', () => {
  const cases: [string, string, number, number][] = [
    ['gateway:\n  listen: 8080\n', 'expected a string', 13, 11],
    ['gateway:\n  listen: "nope"\n', 'expected host:port', 13, 11],
    ['gateway:\n  images:\n    - { path: x, source: quay.io/jetstack/other }\n', 'not the source of any images', 14, 26],
    ['gateway:\n  binaries: [kubectl]\n', 'not the name of any binaries', 13, 14],
    ['gateway:\n  healthInterval: 0\n', 'healthInterval', 13, 19],
    ['gateway:\n  listne: x\n', 'did you mean "listen"', 13, 3],
    // A backends entry that is no served item's target used to be ignored: the order stayed as it was.
    ['gateway:\n  backends: [ghcr.io/cert-manager, quay.io/cert-manger]\n', 'gateway.backends[1]: "quay.io/cert-manger" is not a target of any served item; did you mean "quay.io/cert-manager"?', 13, 36],
    ['gateway:\n  backends: [registry.internal/cert-manager]\n', 'is not a target of any served item; targets: quay.io/cert-manager, ghcr.io/cert-manager, quay.io/cert-manager/charts, ghcr.io/cert-manager/charts', 13, 14],
    ['gateway:\n  images:\n    - { path: cm, source: quay.io/jetstack/cert-manager-controller }\n  binaries: []\n  backends: [ghcr.io/cert-manager/charts]\n', 'not a target of any served item', 16, 14],
    ['gateway:\n  images:\n    - { path: a, source: quay.io/jetstack/cert-manager-controller }\n    - { path: a, source: quay.io/jetstack/charts/cert-manager }\n', 'served twice', 15, 15],
  ];
  for (const [yaml, fragment, line, col] of cases) {
    try {
      parseConfig(base + yaml, 'm.yaml', '/x');
      assert.fail(`accepted: ${yaml}`);
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      assert.ok(e.detail.includes(fragment), `${e.message} lacks ${fragment}`);
      assert.deepEqual([e.line, e.col], [line, col], e.message);
    }
  }
});

test('the digest record: missing is empty, malformed is a ConfigError naming the file', async () => {
  const dir = await scratchDir('lock');
  assert.deepEqual(await readLock(join(dir, 'none.lock')), { version: 1, images: {} });
  await writeFile(join(dir, 'bad.lock'), '{"version": 1, "images": {"r": {"v1": {"digest": "nope"}}}}');
  await assert.rejects(readLock(join(dir, 'bad.lock')), (e: unknown) => e instanceof ConfigError && e.message.startsWith(join(dir, 'bad.lock')));
  const good = { version: 1, images: { 'quay.io/jetstack/x': { 'v1.0.0': { digest: `sha256:${'0'.repeat(64)}`, recordedAt: '2026-01-01T00:00:00Z' } } } };
  await writeFile(join(dir, 'good.lock'), JSON.stringify(good));
  assert.deepEqual(await readLock(join(dir, 'good.lock')), good);
});

test('shutdownDelay: seconds still serving after SIGTERM; 0 is taken, a negative number is not', () => {
  assert.equal(parseConfig(`${base}gateway: { shutdownDelay: 0 }\n`, 'm.yaml', '/etc/rm').gateway!.shutdownDelay, 0);
  assert.equal(parseConfig(`${base}gateway: { shutdownDelay: 15 }\n`, 'm.yaml', '/etc/rm').gateway!.shutdownDelay, 15);
  assert.throws(() => parseConfig(`${base}gateway: { shutdownDelay: -1 }\n`, 'm.yaml', '/etc/rm'), ConfigError);
});
