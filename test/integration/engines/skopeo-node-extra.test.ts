// engine: skopeo trusts what the native client trusts. A registry whose CA is given by
// NODE_EXTRA_CA_CERTS (and no caFile) was planned fine by the native client, then every skopeo
// copy to it failed with Go's bare "x509: certificate signed by unknown authority" (exit 1): Go
// never reads NODE_EXTRA_CA_CERTS. Its certificates now go into the cert dir skopeo is given.
// A caFile Notepad saved (a UTF-8 byte order mark before its first certificate, CRLF line ends)
// was the same: the native client read it, skopeo's Go found no certificate in it (acceptance hunt).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';

let source: RunningRegistry;
let target: RunningRegistry;
let dir: string;
let digest: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry({ tls: true })]);
  dir = await scratchDir('skopeo-node-extra');
  const [image] = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 });
  digest = image!.digest;
});

after(async () => {
  await Promise.all([source, target].filter(Boolean).map((r) => destroyRegistry(r)));
});

test('a target trusted through NODE_EXTRA_CA_CERTS alone is copied to by skopeo too', async () => {
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${target.host}/mirror]
  engine: skopeo
registries:
  ${target.host}: { tls: verify }
images:
  - source: ${source.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { NODE_EXTRA_CA_CERTS: (await testCerts()).caFile } });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.doesNotMatch(run.stderr, /x509/);
  assert.equal(await skopeoDigest(`${target.host}/mirror/app:v1.0.0`), digest);
});

test('a caFile with a byte order mark and CRLF line ends, which the native client reads, is read for skopeo too', async () => {
  const caFile = join(dir, 'ca-notepad.pem');
  await writeFile(caFile, `\uFEFF${(await readFile((await testCerts()).caFile, 'utf8')).replace(/\n/g, '\r\n')}`);
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${target.host}/notepad]
  engine: skopeo
registries:
  ${target.host}: { caFile: ${caFile} }
images:
  - source: ${source.host}/jetstack/app
`, 'notepad.yaml');
  const run = await runCli(['sync', '-c', file, '--no-progress']);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.doesNotMatch(run.stdout + run.stderr, /x509/);
  assert.equal(await skopeoDigest(`${target.host}/notepad/app:v1.0.0`), digest);
});
