// A tag list whose one answer was spoiled on the way: a login page sent as 200, or a body cut
// short. Found by the chaos hunt: a single 200 HTML page on a target's tags/list failed every tag
// of that repository at that target (exit 1), where a rerun passed; the manifest GET has asked
// again on a page since pages.test.ts, the tag list did not. Asked again now, within maxAttempts;
// a page every time still fails, saying it is a page. A real TLS registry behind the fault proxy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RegistryClient } from '../../../src/registry/client.js';
import { RegistryResponseError } from '../../../src/types/errors.js';
import { sha256 } from '../../../src/types/digest.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { proxyFor, registriesYaml, registrySettings } from '../../harness/tls-bed.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let images: SeededImage[];
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 1 });
  proxy = await proxyFor(source);
  dir = await scratchDir('tag-list-retry');
});

after(async () => {
  await proxy?.close();
  await Promise.all([source, target].filter(Boolean).map(destroyRegistry));
});

async function listThroughProxy(maxAttempts: number): Promise<string[]> {
  const client = new RegistryClient({
    registries: registrySettings([[{ host: proxy.host, caFile: source.caFile }, { maxAttempts }]]),
    testing: { backoffBaseMs: 1 },
  });
  try {
    return (await client.repository(proxy.host, 'jetstack/app', 'pull').listTags()).sort();
  } finally {
    await client.close();
  }
}

test('a tag list answered once by a 200 page, or cut short once, is asked for again', async () => {
  // A cut body used to end as "cannot list tags: other side closed", a page as INVALID_TAG_LIST.
  proxy.clear();
  proxy.inject({ method: 'GET', path: /\/tags\/list/, times: 1, fault: { kind: 'cut', afterBytes: 5 } });
  assert.deepEqual(await listThroughProxy(3), ['v1.0.0', 'v1.1.0']);
  proxy.clear();
  proxy.inject({ method: 'GET', path: /\/tags\/list/, times: 1, fault: { kind: 'page', status: 200 } });
  assert.deepEqual(await listThroughProxy(3), ['v1.0.0', 'v1.1.0']);
});

test('a page every time fails after maxAttempts, saying it is a page', async () => {
  proxy.clear();
  proxy.resetStats();
  proxy.inject({ method: 'GET', path: /\/tags\/list/, times: Infinity, fault: { kind: 'page', status: 200 } });
  await assert.rejects(listThroughProxy(3),
    (e) => e instanceof RegistryResponseError && /\/tags\/list\S*: 200 OK, an HTML page \(a proxy or load balancer in front of the registry answered\)/.test(e.message));
  assert.equal(proxy.stats.injected.page, 3);
  proxy.clear();
});

test('sync: one page on a target\'s tag list costs a retry, not the repository\'s tags', { timeout: 120_000 }, async () => {
  const front = await proxyFor(target);
  try {
    front.inject({ method: 'GET', path: /\/tags\/list/, times: 1, fault: { kind: 'page', status: 200 } });
    const config = await writeConfig(join(dir, 'sync'), `version: 1
defaults:
  targets: [${front.host}/mirror]
${registriesYaml([source, [{ host: front.host, caFile: target.caFile }, { maxAttempts: 3 }]])}images:
  - source: ${source.host}/jetstack/app
`);
    const run = await runCli(['sync', '-c', config, '--no-progress'], { timeoutMs: 90_000 });
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.equal(front.stats.injected.page, 1);
    for (const image of images) assert.equal(sha256(await skopeoRawManifest(`${target.host}/mirror/app:${image.tag}`)), image.digest);
  } finally {
    await front.close();
  }
});

test('sync and plan: a source answered by a login page every time (a captive portal) could not be read at all: exit 3, saying what to do', { timeout: 120_000 }, async () => {
  // issuer2 hunt: every request through a hotel Wi-Fi's portal answered 200 with its login page;
  // verify exited 3 (incomplete), but sync exited 1 and plan 0, the line naming the page alone.
  proxy.clear();
  proxy.inject({ path: /./, times: Infinity, fault: { kind: 'page', status: 200 } });
  const config = await writeConfig(join(dir, 'portal'), `version: 1
defaults:
  targets: [${target.host}/portal]
${registriesYaml([[{ host: proxy.host, caFile: source.caFile }, { maxAttempts: 2 }], target])}images:
  - source: ${proxy.host}/jetstack/app
`);
  const advice = new RegExp(`tags/list: 200 OK, an HTML page \\(a proxy or load balancer in front of the registry answered\\), not a tag list: this machine must reach ${proxy.host.replace(/\./g, '\\.')} without signing in \\(a proxy exemption for it, or HTTPS_PROXY/NO_PROXY\\) \\(tried 2 times\\)`);
  for (const command of ['sync', 'plan']) {
    const run = await runCli([command, '-c', config, '--no-progress'], { timeoutMs: 90_000 });
    assert.equal(run.exitCode, 3, `${command}: ${run.stdout}${run.stderr}`);
    assert.match(run.stdout, advice, command);
  }
  assert.equal(await skopeoRawManifest(`${target.host}/portal/app:v1.0.0`).catch(() => undefined), undefined);
  proxy.clear();
});
