// publish's release files (binaries.urls) from a server whose certificate a corporate CA signed,
// that CA in this machine's store only (SSL_CERT_FILE): downloaded, as the registries of the same
// run are verified (and as curl or Go read that store); without it, one line naming the store.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { makeCa, signCert, type ServerCert } from '../../harness/tls.js';

const FILE = Buffer.from('tool linux amd64 release archive\n'.repeat(500));

let reg: RunningRegistry;
let corporate: ServerCert;
let server: Server;
let work: string;

before(async () => {
  reg = await startRegistry();
  work = await scratchDir('publish-store-ca');
  const certs = await scratchDir('release-server-ca');
  corporate = await makeCa(certs, 'Example Corp root CA');
  const own = await signCert(certs, corporate, 'releases', 'IP:127.0.0.1');
  server = createServer({ cert: await readFile(own.cert), key: await readFile(own.key) }, (req, res) => {
    if (req.url === '/v1.0.0/tool.tar.gz') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(FILE);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await destroyRegistry(reg);
});

test('a release server signed by a CA in SSL_CERT_FILE only: downloaded and published; without it, not trusted, naming the store', async () => {
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/{tag}/tool.tar.gz`;
  const file = await writeConfig(work, `version: 1
defaults:
  targets: [${reg.host}/releases]
binaries:
  - name: tool
    artifactType: application/vnd.example.tool.v1
    urls: ["${url}"]
`);
  const untrusted = await runCli(['publish', '-c', file, '--tag', 'v1.0.0', '--no-progress']);
  assert.equal(untrusted.exitCode, 1, untrusted.stderr + untrusted.stdout);
  assert.match(untrusted.stderr, /tool\.tar\.gz: its TLS certificate is not trusted \(\w+\): .*SSL_CERT_FILE/);
  const run = await runCli(['publish', '-c', file, '--tag', 'v1.0.0', '--no-progress'], { env: { SSL_CERT_FILE: corporate.cert } });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  const manifest = JSON.parse((await skopeoRawManifest(`${reg.host}/releases/tool:v1.0.0`)).toString('utf8')) as { layers: { digest: string }[] };
  assert.deepEqual(manifest.layers.map((l) => l.digest), [`sha256:${createHash('sha256').update(FILE).digest('hex')}`]);
});
