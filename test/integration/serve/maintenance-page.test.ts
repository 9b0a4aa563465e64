// A mirror "down" as it looks behind a real nginx: the registry stopped and nginx answering every
// path with its maintenance page, 200 and HTML (`error_page 502 503 504 =200 /maintenance.html`).
// A pull through the gateway must come from the other mirror, whole: the page is never a
// manifest, and never a blob the gateway sends a client to; the log says once that it is down.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { maintenancePage, startNginx, type RunningNginx } from '../../harness/nginx.js';
import { scratchDir } from '../../harness/scratch.js';
import { skopeoCopyAll, skopeoDigest } from '../../harness/skopeo.js';
import { startGateway, until, type GatewayProcess } from './gateway-process.js';
import { frontedMirrors } from './fixture.js';

let src: RunningRegistry;
let a: RunningRegistry;
let b: RunningRegistry;
let front: RunningNginx;
let gw: GatewayProcess;
let dir: string;
let image: SeededImage;

before(async () => {
  [src, a, b] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
  front = await startNginx(a, maintenancePage());
  image = (await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 }))[0]!;
  dir = await scratchDir('maintenance-page');
  const config = await frontedMirrors(dir, src, front, b, image, '  healthInterval: 600');
  // One probe, at the start, while A is up; the page comes between two probes, mid-run.
  gw = await startGateway(config, ['--tag-ttl', '600']);
  await until(() => gw.events.length > 0 || /ready|listening/.test(gw.stderr()), 'the gateway');
});

after(async () => {
  await gw?.stop();
  await front?.close();
  await Promise.all([src, a, b].map((r) => r && destroyRegistry(r)));
});

test('the preferred mirror answers its maintenance page (200, HTML) for every path: skopeo copy --all gets every digest, from B', { timeout: 180_000 }, async () => {
  // A pull while A is up: A serves it, and the gateway holds the tag and its manifests.
  await skopeoCopyAll(`${gw.host}/app:v1.0.0`, `oci:${dir}/first:v1.0.0`, { preserveDigests: true });
  assert.ok(gw.events.some((e) => e.kind === 'blob' && e.backend === front.host), 'A served the first pull');
  await a.stop();
  try {
    const before = gw.events.length;
    await skopeoCopyAll(`${gw.host}/app:v1.0.0`, `oci:${dir}/pulled:v1.0.0`, { preserveDigests: true });
    assert.equal(await skopeoDigest(`oci:${dir}/pulled:v1.0.0`), image.digest);
    const served = gw.events.slice(before).filter((e) => e.status < 400 && e.kind !== 'other');
    assert.ok(served.length > 0 && served.every((e) => e.backend === b.host || e.backend === 'cache'), JSON.stringify(served.map((e) => `${e.kind} ${e.status} ${e.backend}`)));
    // Said once for each way A was met, naming it: its page in place of a blob or manifest (a HEAD
    // before a 307), and, where skopeo's requests raced so that the gateway streamed a blob itself,
    // the page's bytes in place of the blob's (a clean-clone run met both).
    const lines = gw.stderr().split('\n').filter((l) => l.includes(front.host));
    assert.ok(lines.length >= 1 && lines.length <= 2, gw.stderr());
    for (const line of lines) assert.match(line, /200 OK, an HTML page \(a proxy or load balancer in front of the registry answered\), not the|with wrong bytes \(they hash to sha256:/);
    assert.ok(lines.some((l) => /an HTML page/.test(l)), gw.stderr());
  } finally {
    await a.start();
  }
});
