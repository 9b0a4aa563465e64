// A backend that asks for a client certificate (mutual TLS), which the gateway presents from its
// certs.d directory: its clients have no such certificate, so its blobs are streamed by the
// gateway (proven by their digest), never a 307 to it. The gateway used to send clients there
// ("serves blobs anonymously", as it does to the gateway), and skopeo copy through the gateway
// failed: 'reading blob sha256:…: Get "https://127.0.0.1:PORT/v2/…": remote error: tls: bad
// certificate' (acceptance hunt).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';
import { skopeoCopyAll, skopeoDigest } from '../../harness/skopeo.js';
import { testCerts } from '../../harness/tls.js';
import { assertStreamed, startGateway } from './gateway-process.js';

let src: RunningRegistry;
let reg: RunningRegistry;
let dir: string;
let image: SeededImage;
let certsD: string;

before(async () => {
  [src, reg] = await Promise.all([startRegistry(), startRegistry({ tls: true, clientCerts: true })]);
  dir = await scratchDir('gw-client-cert-backend');
  const certs = await testCerts();
  certsD = join(dir, 'certs.d');
  await mkdir(join(certsD, reg.host), { recursive: true });
  await copyFile(certs.client.cert, join(certsD, reg.host, 'client.cert'));
  await copyFile(certs.client.key, join(certsD, reg.host, 'client.key'));
  [image] = (await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 })) as [SeededImage];
  // The mirror filled by regmirror itself, over mutual TLS.
  const sync = await runCli(['sync', '-c', await writeConfig(dir, oneMirrorYaml(src, reg, 'jetstack/app'), 'sync.yaml'), '--no-progress'], { env: { REGMIRROR_CERTS_D: certsD } });
  assert.equal(sync.exitCode, 0, sync.stderr + sync.stdout);
});

after(async () => {
  await Promise.all([src && destroyRegistry(src), reg && destroyRegistry(reg)]);
});

test('a blob of a backend that asks for a client certificate comes through the gateway, and skopeo pulls every digest through it', async () => {
  const config = await writeConfig(dir, `${oneMirrorYaml(src, reg, 'jetstack/app')}gateway:\n  healthInterval: 1\n`);
  const gw = await startGateway(config, [], { REGMIRROR_CERTS_D: certsD });
  try {
    await assertStreamed(gw, image.blobDigests);
    const out = `oci:${join(dir, 'pulled')}:v1.0.0`;
    await skopeoCopyAll(`${gw.host}/app:v1.0.0`, out, { preserveDigests: true });
    assert.equal(await skopeoDigest(out), image.digest);
    assert.ok(gw.events.some((e) => e.kind === 'blob' && e.backend === reg.host), 'blobs came from the mirror that asks for a client certificate');
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});
