// The per-client rate limit is meant so one client cannot starve the rest (README "Limits"). Its
// bucket was keyed by address and User-Agent, so a client that sent a different User-Agent with
// each request (any script can) had a fresh burst every time and was never limited: 300 requests
// at once from one address with 300 User-Agents were all answered, none 429. The bucket is the
// address's alone; the User-Agent still tells clients apart for pull attribution.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { startGateway, until } from './gateway-process.js';

let world: World;

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 1 });
});

after(async () => {
  await world?.close();
});

async function statuses(url: string, from: string, agents: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const ua of agents) {
    const res = await fetch(`${url}/v2/`, { headers: { 'x-forwarded-for': from, 'user-agent': ua } });
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

test('a client that changes its User-Agent with every request is still rate limited', { timeout: 120_000 }, async () => {
  const gw = await startGateway(await world.config('  healthInterval: 1', { name: 'rate.yaml' }), ['--client-rate', '1']);
  try {
    const rotating = await statuses(gw.url, '10.7.7.7', ['curl/8.0 a', 'curl/8.0 b', 'curl/8.0 c', 'curl/8.0 d', 'curl/8.0 e']);
    assert.deepEqual(rotating.slice(0, 2), [200, 200], 'the burst (twice the rate)');
    assert.ok(rotating.slice(2).includes(429), `then 429 whatever the User-Agent: ${rotating}`);
    const other = await statuses(gw.url, '10.7.7.8', ['curl/8.0 a']);
    assert.deepEqual(other, [200], 'another address is not starved');
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});

test('probes and scrapes from a limited address are answered, not 429', { timeout: 120_000 }, async () => {
  // The kubelet probes from the node's address, the one its containerd pulls from.
  const gw = await startGateway(await world.config('  healthInterval: 1', { name: 'rate-probes.yaml' }), ['--client-rate', '1']);
  try {
    const node = '10.7.7.9';
    let n = 0;
    await until(async () => (await fetch(`${gw.url}/-/ready`, { headers: { 'x-forwarded-for': `10.8.0.${++n % 250}` } })).status === 200, 'ready');
    const pulls = await statuses(gw.url, node, ['containerd/1.6', 'containerd/1.6', 'containerd/1.6', 'containerd/1.6']);
    assert.ok(pulls.includes(429), `the node's requests are limited: ${pulls}`);
    for (const page of ['/-/healthz', '/-/ready', '/metrics']) {
      const res = await fetch(`${gw.url}${page}`, { headers: { 'x-forwarded-for': node, 'user-agent': 'kube-probe/1.30' } });
      await res.arrayBuffer();
      assert.equal(res.status, 200, `${page} from the limited address`);
    }
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});
