// A target "down" as it looks behind its real front end: the registry stopped, nginx answering
// 502 Bad Gateway, HAProxy 503 "No server is available to handle this request" (their pages), and
// an nginx whose error_page is a maintenance page sent as 200. sync to four targets copies everything to the one that is up, names each down one per row
// with what its front answered and what to do, exit 1; verify calls them errors, not drift
// (exit 3); once they are back a re-run copies only what they lack.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { maintenancePage, startNginx, type RunningNginx } from '../../harness/nginx.js';
import { startHaproxy, type RunningHaproxy } from '../../harness/haproxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';
import { skopeoDigest } from '../../harness/skopeo.js';

let src: RunningRegistry;
let up: RunningRegistry;
let behindNginx: RunningRegistry;
let behindHaproxy: RunningRegistry;
let behindPage: RunningRegistry;
let nginx: RunningNginx;
let maintenance: RunningNginx;
let haproxy: RunningHaproxy;
let images: SeededImage[];
let config: string;

before(async () => {
  [src, up, behindNginx, behindHaproxy, behindPage] = await Promise.all([startRegistry(), startRegistry(), startRegistry(), startRegistry(), startRegistry()]);
  [nginx, haproxy, maintenance] = await Promise.all([startNginx(behindNginx), startHaproxy(behindHaproxy), startNginx(behindPage, maintenancePage())]);
  images = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 2 });
  config = await writeConfig(await scratchDir('front-end-down'), `version: 1
defaults:
  targets: [${up.host}/mirror, ${nginx.host}/mirror, ${haproxy.host}/mirror, ${maintenance.host}/mirror]
${registriesYaml([[nginx, { maxAttempts: 2 }], [haproxy, { maxAttempts: 2 }], [maintenance, { maxAttempts: 2 }]])}images:
  - source: ${src.host}/jetstack/app
`);
});

after(async () => {
  await Promise.all([nginx?.close(), haproxy?.close(), maintenance?.close()]);
  await Promise.all([src, up, behindNginx, behindHaproxy, behindPage].map((r) => r && destroyRegistry(r)));
});

test('the registries behind nginx, HAProxy and a maintenance page stopped: the target that is up gets everything, each down one is named per row with what to do', { timeout: 240_000 }, async () => {
  await Promise.all([behindNginx.stop(), behindHaproxy.stop(), behindPage.stop()]);
  try {
    const sync = await runCli(['sync', '-c', config, '--no-progress']);
    assert.equal(sync.exitCode, 1, sync.stderr + sync.stdout);
    for (const img of images) assert.equal(await skopeoDigest(`${up.host}/mirror/app:${img.tag}`), img.digest);
    const rows = (host: string) => sync.stdout.split('\n').filter((l) => l.includes(`${host}/mirror/app`));
    assert.equal(rows(up.host).filter((l) => / copied /.test(l)).length, 2, sync.stdout);
    for (const row of rows(nginx.host)) assert.match(row, /failed .*502 Bad Gateway, an HTML page \(a proxy or load balancer in front of the registry answered\): it could not reach the registry behind it, which is down; rerun once it answers( \(tried \d+ times\))?$/);
    for (const row of rows(haproxy.host)) assert.match(row, /failed .*503 Service Unavailable, an HTML page saying "No server is available to handle this request\." \(a proxy or load balancer in front of the registry answered\): it could not reach the registry behind it, which is down; rerun once it answers( \(tried \d+ times\))?$/);
    // A page sent as 200 is named by its title.
    for (const row of rows(maintenance.host)) assert.match(row, /failed .*200 OK, an HTML page titled "Down for maintenance" \(a proxy or load balancer in front of the registry answered\)/);
    assert.equal(rows(nginx.host).length + rows(haproxy.host).length + rows(maintenance.host).length, 6, sync.stdout);
    const verify = await runCli(['verify', '-c', config]);
    assert.equal(verify.exitCode, 3, verify.stderr + verify.stdout);
    assert.match(verify.stdout, /2 in sync, 0 drift, 6 errors/);
    assert.match(verify.stdout, / error .*which is down; rerun once it answers/);
  } finally {
    await Promise.all([behindNginx.start(), behindHaproxy.start(), behindPage.start()]);
  }
  const again = await runCli(['sync', '-c', config, '--no-progress', '--format', 'json']);
  assert.equal(again.exitCode, 0, again.stderr + again.stdout);
  const results = (JSON.parse(again.stdout) as { results: { targets: { repository: string; action: string }[] }[] }).results.flatMap((r) => r.targets);
  assert.deepEqual(results.filter((t) => t.action === 'copied').map((t) => t.repository.split('/')[0]).sort(), [nginx.host, nginx.host, haproxy.host, haproxy.host, maintenance.host, maintenance.host].sort());
  assert.ok(results.filter((t) => t.repository.startsWith(up.host)).every((t) => t.action === 'skip'), again.stdout);
});
