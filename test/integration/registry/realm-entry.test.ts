// A TLS registry whose token service is on another host with a CA of its own (a company's auth
// server in front of several registries): the realm host's own entry under registries: (its
// caFile, tls: insecure) says how to trust it, as an explicit setting does everywhere else. It
// was ignored (tokens4 hunt): the realm went with the registry's caFile, and with the realm's CA
// given right there the run said 'its token service https://localhost:PORT (reached with the TLS
// settings under registries: HOST) has a TLS certificate that is not trusted … add the CA that
// signed it to the `caFile` there, beside the registry's own CA', exit 3.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bearerFor, destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';

let source: RunningRegistry; // TLS (the test CA); its token service on https://localhost:PORT, self-signed
let target: RunningRegistry;
let dir: string;
let image: SeededImage;
let realmHost: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true, auth: 'token', realmTls: 'selfSigned' }), startRegistry({ tls: true })]);
  dir = await scratchDir('realm-entry');
  realmHost = new URL(source.tokenServer!.realm).host;
  [image] = await seedImage({ url: source.url, auth: (scope) => bearerFor(source, scope) }, { repository: 'team/app', tags: ['v1.0.0'], single: true, format: 'oci' }) as [SeededImage];
});

after(async () => {
  await Promise.all([source, target].map((r) => r && destroyRegistry(r)));
});

const env = () => ({ SRC_USER: 'admin', SRC_PASS: source.users.admin!, REGMIRROR_CERTS_D: join(dir, 'none') });

/** A mirrors.yaml copying the source's team/app into `namespace` on the target, the realm host's entry `realm`. */
const config = (namespace: string, realm: string) => writeConfig(join(dir, namespace), `version: 1
defaults:
  targets: [${target.host}/${namespace}]
registries:
  ${source.host}:
    caFile: ${source.caFile}
    credentials: { usernameEnv: SRC_USER, passwordEnv: SRC_PASS }
  ${target.host}: { caFile: ${target.caFile} }
${realm}images:
  - source: ${source.host}/team/app
`);

test('the realm host\'s own caFile trusts the token service: the tag copied', async () => {
  const selfSigned = (await testCerts()).servers.selfSigned.cert;
  const run = await runCli(['sync', '-c', await config('own-cafile', `  ${realmHost}: { caFile: ${selfSigned} }\n`), '--no-progress'], { env: env() });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.equal(await skopeoDigestVerified(`docker://${target.host}/own-cafile/app:v1.0.0`, target.certDir!), image.digest);
});

test('the realm host\'s own entry with a CA that does not sign it: the line names that entry, exit 3', async () => {
  const run = await runCli(['sync', '-c', await config('wrong-cafile', `  ${realmHost}: { caFile: ${source.caFile} }\n`), '--no-progress'], { env: env() });
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  assert.match(run.stderr, new RegExp(`its token service https://${realmHost} \\(reached with the TLS settings under registries: ${realmHost}, its own entry\\) has a TLS certificate that is not trusted \\(DEPTH_ZERO_SELF_SIGNED_CERT\\): add that self-signed certificate itself to the \`caFile\` there, or set \`tls: insecure\` under registries: ${realmHost}`));
  assert.doesNotMatch(run.stderr, /beside the registry's own CA/);
});

test('without an entry for the realm host, the registry\'s caFile is lent to it as before, and the line names both places', async () => {
  const run = await runCli(['sync', '-c', await config('lent', ''), '--no-progress'], { env: env() });
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  assert.match(run.stderr, new RegExp(`its token service https://${realmHost} \\(reached with the TLS settings under registries: ${source.host.replace(/\./g, '\\.')}\\) has a TLS certificate that is not trusted \\(DEPTH_ZERO_SELF_SIGNED_CERT\\): add that self-signed certificate itself to the \`caFile\` there, beside the registry's own CA \\(or give it as \`caFile\` under registries: ${realmHost}, an entry of the token service's own\\), or set \`tls: insecure\` there`));
});
