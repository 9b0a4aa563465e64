// ceo3 hunt: `validate` of a file holding release binaries and a Helm chart (no images) ended in
// "valid — 0 image(s) selected, 0 target repositories", as if it selected nothing; the last line
// now counts the binaries entries and their target repositories too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

test('validate of binaries alone: its last line counts them and their target repositories', async () => {
  const dir = await scratchDir('validate-binaries');
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [registry.example/rel, ghcr.io/example]
binaries:
  - name: cmctl
    artifactType: application/vnd.cert-manager.cmctl.v1
    files: ["cmctl-*.tar.gz"]
  - name: charts/mychart
    artifactType: application/vnd.cncf.helm.config.v1+json
    files: ["mychart-*.tgz"]
`);
  const run = await runCli(['validate', '-c', file]);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.match(run.stdout, /: valid — 0 image\(s\) selected, 0 target repositories; 2 binaries entries, 4 target repositories\n$/);
  const filtered = await runCli(['validate', '-c', file, '--filter', 'cmctl']);
  assert.match(filtered.stdout, /: valid — 0 image\(s\) selected, 0 target repositories; 1 binaries entry, 2 target repositories\n$/);
});
