// A client that reads a layer slowly, from a backend that speaks HTTP/2 (distribution over TLS
// does). Over HTTP/2, flow control stops the backend's bytes while the client holds back, and the
// body timeout (--timeout) fired: a healthy backend was called "stopped sending midway", its
// breaker opened, and a client that paused often could lose its download after three resumes
// (gateway2 hunt). The gateway now reads the blobs it streams over HTTP/1.1, where undici stops
// the body timeout while the reader does; the backend's log shows which protocol carried them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { startWorld, type World } from './fixture.js';
import { startGateway } from './gateway-process.js';
import { getManifest } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';

let world: World;
let layer: string;

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 1, layerBytes: 48 * 1024 * 1024 });
  const root = world.images.get('v1.14.0')!;
  const manifest = JSON.parse((await getManifest({ url: world.regA.url }, 'jetstack/app', root.childDigests[0] ?? root.digest))!.bytes.toString('utf8')) as { layers: { digest: string }[] };
  layer = manifest.layers[0]!.digest;
});

after(async () => {
  await world?.close();
});

/** The blob through the gateway, read 1 MiB, then held back for `pauseMs`, then to the end: its sha256. */
function readSlowly(url: string, pauseMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
      const hash = createHash('sha256');
      let read = 0;
      let paused = false;
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        read += chunk.length;
        if (!paused && read >= 1024 * 1024) {
          paused = true;
          res.pause();
          setTimeout(() => res.resume(), pauseMs);
        }
      });
      res.once('end', () => resolve(`sha256:${hash.digest('hex')}`));
      res.once('error', reject);
    }).once('error', reject).end();
  });
}

test('a client holding back longer than --timeout on an HTTP/2 backend: no false stall, the layer whole', { timeout: 240_000 }, async () => {
  const { regA, regB, proxyA } = world;
  // B straight (no proxy: distribution offers HTTP/2 by ALPN), with a token: the gateway streams.
  const config = await writeConfig(world.dir, `version: 1
defaults:
  targets: [${regB.host}/mirror-b]
registries:
  ${proxyA.host}: { caFile: ${regA.caFile} }
  ${regB.host}:
    caFile: ${regB.caFile}
    credentials: { usernameEnv: GH_USER, passwordEnv: GH_TOKEN }
images:
  - source: ${proxyA.host}/jetstack/app
gateway:
  healthInterval: 30
  backends: [${regB.host}/mirror-b]
`, 'slow-client.yaml');
  const sync = await runCli(['sync', '-c', config, '-q', '--no-progress'], { env: world.env });
  assert.equal(sync.exitCode, 0, sync.stderr);
  const gw = await startGateway(config, ['--tag-ttl', '0', '--timeout', '2'], world.env);
  try {
    assert.equal(await readSlowly(`${gw.url}/v2/app/blobs/${layer}`, 5000), layer);
    assert.doesNotMatch(gw.stderr(), /stopped sending midway|failed a request/, gw.stderr());
    const gets = (await readFile(regB.logPath, 'utf8')).split('\n').filter((l) => l.includes(`"GET /v2/mirror-b/app/blobs/${layer}`));
    assert.ok(gets.length >= 1 && gets.every((l) => l.includes('HTTP/1.1')), `the streamed blob's reads:\n${gets.join('\n')}`);
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});
