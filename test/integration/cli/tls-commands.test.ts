// TLS and auth problems met by the commands besides `sync` (tls.test.ts covers sync): `publish`
// against a registry that speaks HTTPS but is asked in plain HTTP, and downloading from a server
// whose certificate is not trusted; `verify` through a token service on another origin whose
// certificate is not trusted. Each ends in one line naming what is at fault and what to set.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { bearerFor, destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { testCerts } from '../../harness/tls.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let reg: RunningRegistry;
let dir: string;

before(async () => {
  reg = await startRegistry({ tls: true });
  dir = await scratchDir('tls-commands');
  const file = Buffer.from('cmctl release archive\n');
  await writeFile(join(dir, 'cmctl-linux-amd64.tar.gz'), file);
  await writeFile(join(dir, 'checksums.txt'), `${createHash('sha256').update(file).digest('hex')}  cmctl-linux-amd64.tar.gz\n`);
});

after(async () => {
  if (reg) await destroyRegistry(reg);
});

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error: '));

test('publish in plain HTTP to a TLS registry (a loopback host with no tls: entry): says it speaks HTTPS, not a bare 400', async () => {
  // The first request of publish is a HEAD of the tag, whose 400 carries no body to tell by.
  const file = await writeConfig(join(dir, 'plain'), `version: 1
defaults:
  targets: [${reg.host}/bin]
binaries:
  - name: cmctl
    artifactType: application/vnd.cert-manager.cmctl.v1
    files: ["cmctl-*.tar.gz"]
    checksums: checksums.txt
`);
  const run = await runCli(['publish', '-c', file, '--tag', 'v1.0.0', '--dir', dir, '--no-progress', '--format', 'json', '-o', join(dir, 'plain.json')]);
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  const said = errorLines(run.stderr);
  assert.equal(said.length, 1, run.stderr);
  assert.match(said[0]!, new RegExp(`^error: ${reg.host}: it speaks HTTPS on this port but was asked in plain HTTP .*set \`tls: verify\` under registries: ${reg.host}`));
  assert.doesNotMatch(run.stderr, /400 Bad Request/, 'not the bare status');
});

test('a token service on another origin with an untrusted certificate: the line names it, not the registry, and says to add its CA to caFile', async () => {
  const tok = await startRegistry({ tls: true, auth: 'token', realmTls: 'selfSigned' });
  try {
    await seedImage({ url: tok.url, auth: (scope) => bearerFor(tok, scope) }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 1 });
    const realm = new URL(tok.tokenServer!.realm).origin;
    const config = (name: string, caFile: string) => writeConfig(join(dir, name), `version: 1
defaults:
  targets: [${reg.host}/mirror]
registries:
  ${tok.host}:
    caFile: ${caFile}
    credentials: { usernameEnv: TOK_USER, passwordEnv: TOK_PASS }
  ${reg.host}:
    caFile: ${reg.caFile}
images:
  - source: ${tok.host}/jetstack/app
`);
    const env = { TOK_USER: 'admin', TOK_PASS: tok.users.admin! };
    const started = Date.now();
    const run = await runCli(['verify', '-c', await config('realm-untrusted', tok.caFile!), '--no-progress'], { env });
    assert.equal(run.exitCode, 3, run.stderr + run.stdout);
    assert.ok(Date.now() - started < 10_000, 'no retries');
    const said = errorLines(run.stderr);
    assert.equal(said.length, 1, run.stderr);
    assert.match(said[0]!, new RegExp(`^error: ${tok.host}: its token service ${realm} \\(reached with the TLS settings under registries: ${tok.host}\\) has a TLS certificate that is not trusted \\(DEPTH_ZERO_SELF_SIGNED_CERT\\): add that self-signed certificate itself to the \`caFile\` there, beside the registry's own CA`));
    assert.doesNotMatch(run.stderr + run.stdout, new RegExp(tok.users.admin!), 'no password');
    // Both CAs in one file: the registry and its token service are trusted, the audit runs.
    const both = join(dir, 'both.pem');
    await writeFile(both, (await readFile(tok.caFile!, 'utf8')) + (await readFile((await testCerts()).servers.selfSigned.cert, 'utf8')));
    const fixed = await runCli(['verify', '-c', await config('realm-trusted', both), '--no-progress'], { env });
    assert.equal(fixed.exitCode, 1, fixed.stderr + fixed.stdout); // reached: the tag is missing at the target
    assert.match(fixed.stdout, /missing/);
  } finally {
    await destroyRegistry(tok);
  }
});

test('publish downloading a release file from a server whose certificate is not trusted: says so, and how to trust it', async () => {
  const file = await writeConfig(join(dir, 'download'), `version: 1
defaults:
  targets: [${reg.host}/bin]
registries:
  ${reg.host}: { caFile: ${reg.caFile} }
binaries:
  - name: plugin
    artifactType: application/vnd.cert-manager.kubectl-plugin.v1
    urls: ["https://${reg.host}/download/{tag}/plugin.tar.gz"]
`);
  const run = await runCli(['publish', '-c', file, '--tag', 'v1.0.0', '--dir', dir, '--no-progress']);
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  assert.match(run.stderr, new RegExp(`GET https://${reg.host}/download/v1\\.0\\.0/plugin\\.tar\\.gz: its TLS certificate is not trusted \\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\\): release files are checked against Node's CA roots and this machine's store; add the CA that signed it there \\(update-ca-certificates, SSL_CERT_FILE\\) or in a PEM file named by the NODE_EXTRA_CA_CERTS environment variable`));
  // The remedy works: the server is then reached (and has no such file).
  const trusted = await runCli(['publish', '-c', file, '--tag', 'v1.0.0', '--dir', dir, '--no-progress'], { env: { NODE_EXTRA_CA_CERTS: reg.caFile } });
  assert.match(trusted.stderr, /: HTTP 404/);
});
