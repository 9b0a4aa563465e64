// binaryWork: binaries entries as verify work, target against target when there is no source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load.js';
import { binaryWork, selectBinaries } from '../../../src/publish/work.js';

const config = parseConfig(
  `version: 1
defaults:
  targets: [quay.io/cert-manager, ghcr.io/cert-manager]
images:
  - source: quay.io/jetstack/cert-manager-controller
binaries:
  - name: cmctl
    artifactType: application/vnd.cert-manager.cmctl.v1
    files: ["cmctl-*.tar.gz"]
    tags: { semver: ">=1.8.0" }
  - name: kubectl-cert-manager
    artifactType: application/vnd.cert-manager.kubectl-plugin.v1
    urls: ["https://example.com/{tag}/kubectl-cert_manager.tar.gz"]
    source: quay.io/jetstack
    targets: [quay.io/cert-manager, ghcr.io/cert-manager, oci:./out]
  - name: lonely
    artifactType: application/vnd.example.lonely.v1
    files: ["x"]
    targets: [ghcr.io/cert-manager]
`,
  'mirrors.yaml',
  '/tmp',
);

test('without source, the first target is the reference and the rest are checked against it', () => {
  const [cmctl] = binaryWork(config, ['cmctl']);
  assert.ok(cmctl);
  assert.equal(cmctl.sourceDisplay, 'quay.io/cert-manager/cmctl');
  assert.deepEqual(cmctl.source, { scheme: 'registry', registry: 'quay.io', repository: 'cert-manager/cmctl' });
  assert.deepEqual(cmctl.targets.map((t) => t.display), ['ghcr.io/cert-manager/cmctl']);
  assert.equal(cmctl.item.name, 'cmctl');
  assert.equal(cmctl.item.sourceText, 'quay.io/cert-manager/cmctl');
  assert.equal(cmctl.item.hasTagRules, true);
  assert.equal(cmctl.item.tags.semver, '>=1.8.0');
  assert.equal(cmctl.item.referrers, true);
  assert.equal(cmctl.item.overwrite, false);
  assert.equal(cmctl.item.engine, 'native');
  assert.deepEqual(cmctl.item.position, config.binaries[0]!.position);
  assert.equal(cmctl.index, 1, 'indexes continue after images:');
});

test('with source, every target is checked against the source namespace', () => {
  const [plugin] = binaryWork(config, ['kubectl-*']);
  assert.ok(plugin);
  assert.equal(plugin.sourceDisplay, 'quay.io/jetstack/kubectl-cert-manager');
  assert.deepEqual(plugin.targets.map((t) => t.display), ['quay.io/cert-manager/kubectl-cert-manager', 'ghcr.io/cert-manager/kubectl-cert-manager', 'oci:./out/kubectl-cert-manager']);
  assert.equal(plugin.item.hasTagRules, false);
});

test('no filter selects every entry that has something to compare; a single target without source has nothing', () => {
  assert.deepEqual(binaryWork(config, []).map((w) => w.item.name), ['cmctl', 'kubectl-cert-manager']);
  assert.deepEqual(binaryWork(config, ['nomatch']), []);
});

test('selectBinaries matches --filter on the name (publish pushes even single-target entries)', () => {
  assert.deepEqual(selectBinaries(config, []).map((b) => b.name), ['cmctl', 'kubectl-cert-manager', 'lonely']);
  assert.deepEqual(selectBinaries(config, ['lon*', 'cmctl']).map((b) => b.name), ['cmctl', 'lonely']);
});
