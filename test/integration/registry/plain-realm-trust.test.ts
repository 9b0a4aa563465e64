// A plain-http registry (loopback, tls disabled) whose token realm is https with a private CA, as
// an in-house registry behind a company's auth service is. skopeo (--tls-verify=false, which such a
// registry needs) got its token; regmirror reached the realm with the registry's TLS settings,
// which a plain-http host does not have (its pools skip the machine's store, and mirrors.yaml
// refuses a caFile beside tls: disabled): 'not trusted … add the CA to the caFile there', with
// the realm's CA in SSL_CERT_FILE or in the realm host's certs.d. The realm is now trusted as its
// own host: Node's roots and the store, its certs.d, its registries: entry.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { bearerFor, destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';

let source: RunningRegistry; // plain http, its token service on https://localhost:PORT (the test CA)
let target: RunningRegistry;
let dir: string;
let image: SeededImage;
let realmHost: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ auth: 'token', realmTls: 'good' }), startRegistry()]);
  dir = await scratchDir('plain-realm-trust');
  realmHost = new URL(source.tokenServer!.realm).host;
  [image] = await seedImage({ url: source.url, auth: (scope) => bearerFor(source, scope) }, { repository: 'team/app', tags: ['v1.0.0'], single: true, format: 'oci' }) as [SeededImage];
});

after(async () => {
  await Promise.all([source, target].map((r) => r && destroyRegistry(r)));
});

const env = () => ({ SRC_USER: 'admin', SRC_PASS: source.users.admin!, REGMIRROR_CERTS_D: join(dir, 'none') });

/** A mirrors.yaml copying the source's team/app into `namespace` on the target, with the source's credentials. */
const config = (namespace: string, extra = '') => writeConfig(join(dir, namespace), `version: 1
defaults:
  targets: [${target.host}/${namespace}]
registries:
  ${source.host}:
    credentials: { usernameEnv: SRC_USER, passwordEnv: SRC_PASS }
${extra}images:
  - source: ${source.host}/team/app
`);

test('the realm\'s CA only in SSL_CERT_FILE: the token is fetched, the tag copied', async () => {
  const run = await runCli(['sync', '-c', await config('store'), '--no-progress'], { env: { ...env(), SSL_CERT_FILE: (await testCerts()).caFile } });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.equal(await skopeoDigest(`${target.host}/store/app:v1.0.0`), image.digest);
});

test('the realm\'s CA only as ca.crt in the realm host\'s certs.d directory: the token is fetched, the tag copied', async () => {
  const roots = join(dir, 'certs.d');
  await mkdir(join(roots, realmHost), { recursive: true });
  await copyFile((await testCerts()).caFile, join(roots, realmHost, 'ca.crt'));
  const run = await runCli(['sync', '-c', await config('certs-d'), '--no-progress'], { env: { ...env(), REGMIRROR_CERTS_D: roots } });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.equal(await skopeoDigest(`${target.host}/certs-d/app:v1.0.0`), image.digest);
});

test('the realm\'s CA nowhere: one line naming the store, the realm host\'s certs.d and its registries: entry, whose caFile works', async () => {
  const run = await runCli(['sync', '-c', await config('nowhere'), '--no-progress'], { env: env() });
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  const said = run.stderr.split('\n').filter((l) => l.startsWith('error: '));
  assert.equal(said.length, 1, run.stderr);
  assert.match(said[0]!, new RegExp(`^error: ${source.host}: its token service https://${realmHost} \\(trusted as its own host: ${source.host} is plain HTTP\\) has a TLS certificate that is not trusted \\(UNABLE_TO_\\w+\\): add the CA that signed it to this machine's store \\(update-ca-certificates, SSL_CERT_FILE\\), as ca.crt in ${join(dir, 'none', realmHost)}, or as \`caFile\` under registries: ${realmHost};`));
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  const fixed = await runCli(['sync', '-c', await config('entry', `  ${realmHost}:\n    caFile: ${(await testCerts()).caFile}\n`), '--no-progress'], { env: env() });
  assert.equal(fixed.exitCode, 0, fixed.stderr + fixed.stdout);
  assert.equal(await skopeoDigest(`${target.host}/entry/app:v1.0.0`), image.digest);
});
