// A backend the gateway reaches with `tls: insecure` has a certificate nobody can verify, its
// clients included: its blobs are streamed by the gateway (proven by their digest), never a 307 to
// it. The gateway used to send clients there ("serves blobs anonymously"), and every client that
// verifies certificates (docker, containerd, curl -L) then failed the pull on that redirect.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { assertStreamed, startGateway } from './gateway-process.js';

let reg: RunningRegistry;
let dir: string;
let image: SeededImage;

before(async () => {
  reg = await startRegistry({ tls: 'selfSigned' });
  dir = await scratchDir('gw-insecure-backend');
  const spec = { tags: ['v1.0.0'], format: 'oci' as const, single: true, seed: 'app' };
  [image] = (await seedImage({ url: reg.url }, { repository: 'mirror/app', ...spec })) as [SeededImage];
  await seedImage({ url: reg.url }, { repository: 'jetstack/app', ...spec });
});

after(async () => {
  if (reg) await destroyRegistry(reg);
});

test('a blob of a tls: insecure backend comes through the gateway, not as a 307 to that backend', async () => {
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [${reg.host}/mirror]
registries:
  ${reg.host}: { tls: insecure }
images:
  - source: ${reg.host}/jetstack/app
gateway:
  healthInterval: 1
`);
  const gw = await startGateway(config);
  try {
    await assertStreamed(gw, image.blobDigests);
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});
