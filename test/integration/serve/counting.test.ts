// Counting through `regmirror serve`: a scripted set of pulls by three clients (X-Forwarded-For
// from a loopback proxy), with retries and HEADs, gives exact counts in the event file, /metrics,
// the live stats page and `regmirror report stats`; the page is rendered by headless Chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../harness/cli.js';
import { renderedDom, screenshot } from '../../harness/chromium.js';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, type GatewayProcess } from './gateway-process.js';
import type { GatewayEvent } from '../../../src/serve/events.js';

let world: World;
let gw: GatewayProcess;
let eventsFile: string;
const ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';

before(async () => {
  world = await startWorld();
  eventsFile = join(world.dir, 'events.ndjson');
  gw = await startGateway(await world.config('  host: img.example.test\n  healthInterval: 1\n  events: ./events.ndjson'));
});

after(async () => {
  if (gw) assert.equal(await gw.stop(), 0);
  await world?.close();
});

async function get(method: 'GET' | 'HEAD', path: string, client: { ip: string; ua: string }): Promise<number> {
  const res = await fetch(`${gw.url}${path}`, { method, headers: { accept: ACCEPT, 'x-forwarded-for': client.ip, 'user-agent': client.ua }, redirect: 'manual' });
  await res.arrayBuffer();
  return res.status;
}

test('readiness comes after the first probes; health at once', async () => {
  assert.equal((await fetch(`${gw.url}/-/healthz`)).status, 200);
  await until(async () => (await fetch(`${gw.url}/-/ready`)).status === 200, 'ready');
});

test('a scripted set of pulls is counted exactly, in every place', { timeout: 180_000 }, async () => {
  const v14 = world.images.get('v1.14.0')!;
  const v15 = world.images.get('v1.15.0')!;
  const ctr = { ip: '10.0.0.1', ua: 'containerd/v1.7.2' };
  const docker = { ip: '10.0.0.2', ua: 'docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/6.1 os/linux arch/amd64' };
  const helm = { ip: '10.0.0.3', ua: 'Helm/3.14.0' };
  const steps: [('GET' | 'HEAD'), string, { ip: string; ua: string }][] = [
    ['HEAD', '/v2/app/manifests/v1.14.0', ctr], // check
    ['GET', '/v2/app/manifests/v1.14.0', ctr], // check (index)
    ['GET', `/v2/app/manifests/${v14.childDigests[0]}`, ctr], // pull v1.14.0
    ['GET', `/v2/app/manifests/${v14.childDigests[0]}`, ctr], // the same client again: a retry, not counted
    ['GET', `/v2/app/manifests/${v14.childDigests[1]}`, ctr], // pull v1.14.0
    ['HEAD', '/v2/app/manifests/v1.15.0', docker], // check
    ['GET', '/v2/app/manifests/v1.15.0', docker], // check (index)
    ['GET', `/v2/app/manifests/${v15.childDigests[2]}`, docker], // pull v1.15.0
    ['GET', `/v2/app/manifests/${v14.childDigests[0]}`, helm], // pull by digest, no index seen: no tag
    ['GET', `/v2/app/blobs/${v14.blobDigests[0]}`, helm], // blob, not a pull
  ];
  for (const [method, path, client] of steps) assert.ok([200, 307].includes(await get(method, path, client)), `${method} ${path}`);

  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  const pullsOf = (tag: string) => [...metrics.matchAll(new RegExp(`regmirror_gateway_pulls_total\\{image="app",tag="${tag}",backend="[^"]+"\\} (\\d+)`, 'g'))].reduce((a, m) => a + Number(m[1]), 0);
  assert.deepEqual([pullsOf('v1.14.0'), pullsOf('v1.15.0'), pullsOf('')], [2, 1, 1], 'metrics');
  assert.match(metrics, /regmirror_gateway_version_checks_total\{image="app"\} 4/);

  const page = await (await fetch(`${gw.url}/-/stats`)).text();
  assert.match(page, /<b id="total-pulls">4<\/b>/);
  assert.match(page, /data-pulls="app:v1.14.0">2</);
  assert.match(page, /data-pulls="app:v1.15.0">1</);
  // The blob GET is counted on the live page too, though only manifest events are kept there.
  assert.match(page, /<b>1<\/b> blob requests/);
  assert.ok(!/(src|href)=["']?https?:/i.test(page), 'no external URL');

  assert.equal(await gw.stop(), 0);
  const events = (await readFile(eventsFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as GatewayEvent);
  const manifestEvents = events.filter((e) => e.kind === 'pull' || e.kind === 'check');
  assert.equal(manifestEvents.length, 9);
  assert.deepEqual(manifestEvents.map((e) => [e.method, e.kind, e.tag, e.repeat === true, e.client]), [
    ['HEAD', 'check', 'v1.14.0', false, 'containerd'],
    ['GET', 'check', 'v1.14.0', false, 'containerd'],
    ['GET', 'pull', 'v1.14.0', false, 'containerd'],
    ['GET', 'pull', 'v1.14.0', true, 'containerd'],
    ['GET', 'pull', 'v1.14.0', false, 'containerd'],
    ['HEAD', 'check', 'v1.15.0', false, 'docker'],
    ['GET', 'check', 'v1.15.0', false, 'docker'],
    ['GET', 'pull', 'v1.15.0', false, 'docker'],
    ['GET', 'pull', '', false, 'helm'],
  ]);
  for (const e of events) {
    assert.deepEqual(Object.keys(e).slice(0, 11), ['time', 'method', 'client', 'durationMs', 'image', 'tag', 'digest', 'mediaType', 'kind', 'backend', 'status']);
    assert.ok(!JSON.stringify(e).includes('10.0.0.'), 'no client address in an event');
  }

  const html = join(world.dir, 'stats.html');
  const offline = await runCli(['report', 'stats', eventsFile, '-o', html, '--host', 'img.example.test']);
  assert.equal(offline.exitCode, 0, offline.stderr);
  const text = await readFile(html, 'utf8');
  assert.match(text, /<b id="total-pulls">4<\/b>/);
  assert.match(text, /data-pulls="app:v1.14.0">2</);

  // Headless Chromium: the DOM it rendered holds the counts, and a screenshot for a person to look at.
  assert.match(await renderedDom(html), /<b id="total-pulls">4<\/b>/);
  await screenshot(html, process.env.REGMIRROR_STATS_SCREENSHOT ?? join(world.dir, 'stats.png'), 1100, 900);
});
