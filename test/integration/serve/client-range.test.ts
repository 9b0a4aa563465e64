// A client resuming a blob the gateway streams (gateway4 hunt): containers/image (podman, skopeo,
// cri-o) carries a broken layer download on with `Range: bytes=N-` and fails the pull when the
// answer is a 200 ("server did not process a Range: header, status 200"); the gateway answered
// every Range with the whole blob. Distribution answers 206, and a 307 to a backend gets its 206.
// A streamed blob now answers an open-ended Range with 206 from that byte on, the blob still read
// and proven whole from its backend (the bytes before N are read and not sent). (The skopeo and
// podman here, containers/image 5.23, do not resume yet: cut mid-layer they fail either way.)
// A bounded `N-M` and a suffix `-K` were a 200 of the whole blob too, and a range past the end a
// 200, where distribution 2.8 (checked against docker-registry 2.8.2) answers 206 with those bytes
// and 416 with `Content-Range: bytes */SIZE`; the gateway now answers as it does (loose2).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, type GatewayProcess } from './gateway-process.js';
import { digestOf } from '../../harness/seed.js';

let world: World;
let gw: GatewayProcess;

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 1, layerBytes: 3 * 1024 * 1024 });
  // B first: its blobs need a token, so the gateway streams them.
  gw = await startGateway(await world.config(`  healthInterval: 60\n  backends: [${world.proxyB.host}/mirror-b]`));
});

after(async () => {
  assert.equal(await gw?.stop(), 0);
  await world?.close();
});

async function get(digest: string, range?: string) {
  const res = await fetch(`${gw.url}/v2/app/blobs/${digest}`, { headers: range ? { range } : {}, redirect: 'manual' });
  return { status: res.status, range: res.headers.get('content-range'), length: res.headers.get('content-length'), body: Buffer.from(await res.arrayBuffer()) };
}

test('a streamed blob asked with Range: bytes=N-: 206 from byte N, the rest of the proven blob', { timeout: 120_000 }, async () => {
  const img = world.images.get('v1.14.0')!;
  for (const digest of img.blobDigests) {
    const whole = await get(digest);
    assert.equal(whole.status, 200);
    assert.equal(digestOf(whole.body), digest);
    const size = whole.body.length;
    const from = Math.floor(size / 2);
    const tail = await get(digest, `bytes=${from}-`);
    assert.equal(tail.status, 206, `${digest} (${size} bytes): a 206`);
    assert.equal(tail.range, `bytes ${from}-${size - 1}/${size}`);
    assert.equal(Number(tail.length), size - from);
    assert.ok(tail.body.equals(whole.body.subarray(from)), 'the bytes from N on');
    assert.equal(digestOf(Buffer.concat([whole.body.subarray(0, from), tail.body])), digest);
    // As distribution 2.8 answers them: a middle part, a suffix, past the end.
    const mid = await get(digest, `bytes=1-${from}`);
    assert.equal(mid.status, 206, `${digest}: bytes=1-${from}`);
    assert.equal(mid.range, `bytes 1-${from}/${size}`);
    assert.ok(mid.body.equals(whole.body.subarray(1, from + 1)), 'bytes 1..M');
    const suffix = await get(digest, 'bytes=-10');
    assert.equal(suffix.status, 206);
    assert.equal(suffix.range, `bytes ${size - 10}-${size - 1}/${size}`);
    assert.ok(suffix.body.equals(whole.body.subarray(size - 10)), 'the last 10 bytes');
    const past = await get(digest, `bytes=${size}-`);
    assert.equal(past.status, 416);
    assert.equal(past.range, `bytes */${size}`);
    assert.equal(past.body.length, 0);
    // Several ranges: the whole blob, a 200 (containers/image's partial pulls split it themselves).
    const several = await get(digest, 'bytes=0-9,20-29');
    assert.equal(several.status, 200);
    assert.equal(digestOf(several.body), digest);
  }
  await until(() => gw.events.some((e) => e.status === 206), 'the events');
  assert.ok(gw.events.filter((e) => e.kind === 'blob' && e.status === 206).every((e) => e.backend === world.proxyB.host));
});
