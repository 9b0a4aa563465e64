// A backend that accepts TCP and never completes the TLS handshake (a hung registry process, a
// load balancer with nothing behind it) must cost a client no more than --timeout. undici 7 acts on
// an abort that comes while a request still waits for its connection only when the connection is
// made or fails: its 10 s connect timeout. So with `--timeout 1` each request the gateway sent to
// that backend (every trial after the breaker's interval) held its client 10 s, while the log said
// "gave no answer within 1 s". The backends' connect timeout is now no longer than --timeout
// (registry/http/pool.ts). failover.test.ts's black hole is plain HTTP: the connect succeeds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, MANIFEST_ACCEPT } from './gateway-process.js';

let world: World;
let hole: Server;
const sockets = new Set<Socket>();

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'] });
  hole = createServer((s) => { sockets.add(s); s.on('error', () => {}); });
  await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
});

after(async () => {
  for (const s of sockets) s.destroy();
  hole?.close();
  await world?.close();
});

test('a TLS backend that never finishes its handshake: each request fails over within --timeout', { timeout: 120_000 }, async () => {
  const holeHost = `127.0.0.1:${(hole.address() as { port: number }).port}`;
  const path = await world.config('  healthInterval: 1', { name: 'tls-hole.yaml', targets: [`${holeHost}/mirror-a`, `${world.proxyB.host}/mirror-b`] });
  // HTTPS to the hole (a loopback host is plain HTTP by default, where the connect would succeed).
  await writeFile(path, (await readFile(path, 'utf8')).replace('registries:\n', `registries:\n  ${holeHost}:\n    caFile: ${world.regA.caFile}\n`));
  const g = await startGateway(path, ['--tag-ttl', '0', '--timeout', '1']);
  try {
    const want = world.images.get('v1.14.0')!.digest;
    const took: number[] = [];
    // Over 12 s the breaker (1 s) lets several trial requests reach the hole.
    for (const end = Date.now() + 12_000; Date.now() < end;) {
      const started = Date.now();
      const res = await fetch(`${g.url}/v2/app/manifests/v1.14.0`, { headers: { accept: MANIFEST_ACCEPT } });
      await res.arrayBuffer();
      took.push(Date.now() - started);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('docker-content-digest'), want);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(Math.max(...took) < 5_000, `every request within a few seconds, not undici's 10 s connect timeout: ${took.join(', ')} ms`);
    await until(() => g.stderr().includes(`backend ${holeHost} gave no answer within 1 s (--timeout)`), 'the log line');
  } finally {
    assert.equal(await g.stop(), 0);
  }
});
