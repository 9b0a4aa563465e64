// A backend whose token service is on another host, trusted by that host's own entry under
// registries: (its caFile), with the wrong CA there; the line says to put the right one in that
// caFile, and the user does while the gateway runs (gateway3 hunt). The probes renewed the
// backend's own connections and read its caFile again, but not the token service's, which went on
// the pools made at the first token request: the backend stayed down until a restart. Its pools
// are now renewed with the backend's, its caFile read again, and skopeo gets the image.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bearerFor, destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';
import { startGateway, until } from './gateway-process.js';

let reg: RunningRegistry; // TLS (the test CA); its token service on https://localhost:PORT, self-signed
let image: SeededImage;

before(async () => {
  reg = await startRegistry({ tls: true, auth: 'token', realmTls: 'selfSigned' });
  [image] = await seedImage({ url: reg.url, auth: (scope) => bearerFor(reg, scope) }, { repository: 'team/app', tags: ['v1.0.0'], single: true, format: 'oci' }) as [SeededImage];
});

after(async () => {
  if (reg) await destroyRegistry(reg);
});

test('the token service\'s own caFile put right while the gateway runs: its backend serves again, without a restart', { timeout: 180_000 }, async () => {
  const dir = await scratchDir('realm-ca');
  const realmHost = new URL(reg.tokenServer!.realm).host;
  const realmCa = join(dir, 'realm-ca.pem');
  await copyFile(reg.caFile!, realmCa); // the wrong CA: the registry's, not the realm's
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${reg.host}/team]
registries:
  ${reg.host}:
    caFile: ${reg.caFile}
    credentials: { usernameEnv: R_USER, passwordEnv: R_PASS }
  ${realmHost}: { caFile: ${realmCa} }
images:
  - source: ${reg.host}/team/app
gateway:
  healthInterval: 1
`);
  const gw = await startGateway(file, ['--tag-ttl', '1'], { R_USER: 'admin', R_PASS: reg.users.admin!, REGMIRROR_CERTS_D: join(dir, 'none') });
  const get = async () => (await fetch(`${gw.url}/v2/app/manifests/v1.0.0`, { headers: { accept: image.mediaType } })).status;
  try {
    assert.equal(await get(), 503, 'the token service is not trusted: no backend answers');
    await until(() => /its token service .* not trusted/.test(gw.stderr()), 'the line about the token service');
    await copyFile((await testCerts()).servers.selfSigned.cert, realmCa); // as that line says to do
    await until(async () => (await get()) === 200, 'the backend to serve again', 60_000);
    assert.equal(await skopeoDigest(`${gw.host}/app:v1.0.0`), image.digest);
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});
