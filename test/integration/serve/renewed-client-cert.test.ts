// A backend that asks for a client certificate (mutual TLS), whose certificate in certs.d lapsed
// while the gateway ran. The gateway's line says 'put a renewed one there with its key'; the
// operator does, and the gateway went on presenting the one it had read at its start: the backend
// stayed refused until a restart (gateway2 hunt: 20 s after the renewal, with probes every 2 s,
// still the same line's state). The gateway reads the directory again as it probes, and a
// changed certificate, key or CA is used from the next probe on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { testCerts, type ServerCert } from '../../harness/tls.js';
import { servedBy, startGateway, until } from './gateway-process.js';

let src: RunningRegistry;
let reg: RunningRegistry;
let dir: string;
let image: SeededImage;
let certsD: string;

const present = async (cert: ServerCert) => {
  await copyFile(cert.cert, join(certsD, reg.host, 'client.cert'));
  await copyFile(cert.key, join(certsD, reg.host, 'client.key'));
};

before(async () => {
  [src, reg] = await Promise.all([startRegistry(), startRegistry({ tls: true, clientCerts: true })]);
  dir = await scratchDir('gw-renewed-client-cert');
  certsD = join(dir, 'certs.d');
  await mkdir(join(certsD, reg.host), { recursive: true });
  await present((await testCerts()).client);
  [image] = (await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 })) as [SeededImage];
  const sync = await runCli(['sync', '-c', await writeConfig(dir, oneMirrorYaml(src, reg, 'jetstack/app'), 'sync.yaml'), '--no-progress'], { env: { REGMIRROR_CERTS_D: certsD } });
  assert.equal(sync.exitCode, 0, sync.stderr + sync.stdout);
});

after(async () => {
  await Promise.all([src && destroyRegistry(src), reg && destroyRegistry(reg)]);
});

test('a client certificate renewed in certs.d while the gateway runs is presented from the next probe on', { timeout: 180_000 }, async () => {
  const certs = await testCerts();
  await present(certs.expiredClient);
  const config = await writeConfig(dir, `${oneMirrorYaml(src, reg, 'jetstack/app')}gateway:\n  healthInterval: 1\n`);
  const gw = await startGateway(config, ['--tag-ttl', '1'], { REGMIRROR_CERTS_D: certsD });
  try {
    assert.deepEqual(await servedBy(gw, 'v1.0.0'), { status: 200, backend: src.host }, 'the mirror refuses the lapsed certificate: the source serves');
    const said = gw.stderr().split('\n').filter((l) => l.includes(reg.host) && l.includes('put a renewed one there'));
    assert.equal(said.length, 1, gw.stderr());
    await present(certs.client);
    await until(async () => (await servedBy(gw, 'v1.0.0')).backend === reg.host, 'the mirror to serve with the renewed certificate', 30_000);
    assert.equal(await skopeoDigest(`${gw.host}/app:v1.0.0`), image.digest);
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});
