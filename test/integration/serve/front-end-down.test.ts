// A mirror down behind its front end (a real nginx, the registry behind it stopped): a client's
// pull met nginx's 502 page there, and the gateway's log line ended 'rerun once it answers', the
// advice of a sync or verify run, where the gateway itself fails over and probes again. Its lines
// now say that.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { startNginx, type RunningNginx } from '../../harness/nginx.js';
import { scratchDir } from '../../harness/scratch.js';
import { startGateway, until, type GatewayProcess } from './gateway-process.js';
import { frontedMirrors } from './fixture.js';

let src: RunningRegistry;
let a: RunningRegistry;
let b: RunningRegistry;
let front: RunningNginx;
let gw: GatewayProcess;

before(async () => {
  [src, a, b] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
  front = await startNginx(a);
  const image = (await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true }))[0]!;
  const dir = await scratchDir('serve-front-end-down');
  const config = await frontedMirrors(dir, src, front, b, image, '  healthInterval: 600');
  gw = await startGateway(config);
  // Its first probes done (A up): /-/ready says yes once they are.
  await until(async () => (await fetch(`${gw.url}/-/ready`)).status === 200, 'the first probes');
});

after(async () => {
  await gw?.stop();
  await front?.close();
  await Promise.all([src, a, b].map((r) => r && destroyRegistry(r)));
});

test('a backend down behind nginx (502): the log says the gateway fails over and probes again, not "rerun"', { timeout: 120_000 }, async () => {
  await a.stop();
  try {
    // The probes (every 600 s) have not seen it: the client's pull meets it first, and gets B's manifest.
    const res = await fetch(`http://${gw.host}/v2/app/manifests/v1.0.0`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const failed = () => gw.stderr().split('\n').filter((l) => l.includes(`backend ${front.host} failed a request`));
    await until(() => failed().length > 0, 'the line saying A failed a request', 60_000);
    const line = failed()[0]!;
    assert.match(line, /502 Bad Gateway, an HTML page \(a proxy or load balancer in front of the registry answered\): it could not reach the registry behind it, which is down; requests go to the next backend meanwhile, and it is probed again every 600 s \(said once in 10 min\)$/, line);
    assert.doesNotMatch(gw.stderr(), /rerun/, gw.stderr());
  } finally {
    await a.start();
  }
});
