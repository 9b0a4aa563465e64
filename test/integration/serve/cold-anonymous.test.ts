// A cold gateway in front of a token-auth backend, asked for blobs all at once (a pull asks for
// every layer together): whether that backend serves blobs anonymously is one answer, asked once.
// Each request found it unknown and tried its own anonymous HEAD there (up to 8 for the same blob)
// before the first refusal was remembered.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Personality } from '../../harness/fault-proxy.js';
import { startWorld, type World } from './fixture.js';
import { startGateway } from './gateway-process.js';

let world: World;
const anonymousHeads: string[] = [];

// Counts the anonymous HEADs of blobs at B, each answered after a while (a backend far away), so
// the requests that follow the first arrive while its answer is still to come.
const slowAnonymousHead: Personality = async (ex) => {
  if (ex.method !== 'HEAD' || !ex.path.includes('/blobs/') || ex.req.headers.authorization) return false;
  anonymousHeads.push(ex.path);
  await new Promise((r) => setTimeout(r, 500));
  return false;
};

before(async () => {
  world = await startWorld({ tags: ['v1'], platforms: 1, personalitiesB: [slowAnonymousHead] });
  anonymousHeads.length = 0;
});

after(async () => {
  await world?.close();
});

test('eight concurrent first blob requests at a token-auth backend: one anonymous HEAD', { timeout: 120_000 }, async () => {
  const gw = await startGateway(await world.config(`  healthInterval: 60\n  backends: [${world.proxyB.host}/mirror-b]`));
  try {
    const v1 = world.images.get('v1')!;
    const layer = v1.blobDigests.at(-1)!;
    const digests = [...Array(6).fill(layer), ...v1.blobDigests.slice(0, 2)];
    const answers = await Promise.all(digests.map(async (d) => {
      const res = await fetch(`${gw.url}/v2/app/blobs/${d}`, { redirect: 'manual' });
      await res.arrayBuffer();
      return res.status;
    }));
    // B wants a token: the gateway streams every blob itself.
    assert.deepEqual(answers, digests.map(() => 200), gw.stderr());
    assert.equal(anonymousHeads.length, 1, `anonymous HEADs at B: ${anonymousHeads.join(', ')}`);
    // And later requests do not ask again.
    const again = await fetch(`${gw.url}/v2/app/blobs/${layer}`);
    await again.arrayBuffer();
    assert.equal(again.status, 200);
    assert.equal(anonymousHeads.length, 1);
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});
