// A tag that only a mirror has (pushed there by hand, or left behind after the source deleted a
// broken release) is recorded nowhere: not in the lock, and the source answers 404 for it. The
// gateway served it anyway, as though the source were down ("the first answer stands"), so
// content nobody published went out under the neutral name. A source that says the tag does not
// exist is an answer: the client gets 404. A tag the source has and the lock does not yet record
// is still served, checked against what the source says.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedImage } from '../../harness/seed.js';
import { startWorld, type World } from './fixture.js';
import { startGateway, MANIFEST_ACCEPT, type GatewayProcess } from './gateway-process.js';

let world: World;
let gw: GatewayProcess;

before(async () => {
  world = await startWorld({ platforms: 1 });
  gw = await startGateway(await world.config('  healthInterval: 1'));
});

after(async () => {
  if (gw) assert.equal(await gw.stop(), 0);
  await world?.close();
});

async function status(tag: string): Promise<{ status: number; digest: string | null; body: string }> {
  const res = await fetch(`${gw.url}/v2/app/manifests/${tag}`, { headers: { accept: MANIFEST_ACCEPT } });
  return { body: await res.text(), status: res.status, digest: res.headers.get('docker-content-digest') };
}

test('a tag only a mirror has, that the source says does not exist, is not served', { timeout: 120_000 }, async () => {
  await seedImage({ url: world.regA.url }, { repository: 'mirror-a/app', tags: ['v9.9.9'], format: 'oci', platforms: 1, seed: 'nobody published this' });
  const got = await status('v9.9.9');
  assert.equal(got.status, 404);
  // Not "unknown to every backend" (mirror-a has it, and was not asked): why it is not served.
  assert.match(got.body, /"MANIFEST_UNKNOWN","message":"app:v9\.9\.9 is not published: the source has no such tag, and none is recorded"/);
});

test('a tag the source has and the lock does not record is served as the source says', { timeout: 120_000 }, async () => {
  const [v17] = await seedImage({ url: world.regA.url }, { repository: 'jetstack/app', tags: ['v1.17.0'], format: 'oci', platforms: 1, seed: 'v1.17.0' });
  const got = await status('v1.17.0');
  assert.deepEqual({ status: got.status, digest: got.digest }, { status: 200, digest: v17!.digest });
});
