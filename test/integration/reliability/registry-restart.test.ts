// A registry restarted mid-sync (a rolling restart, a load balancer's drain): it took this run's
// connections, refuses new ones for some seconds, then takes them again. The tags in flight wait
// for it (registry/http/restart-wait.ts) and the sync finishes, where the retry layer's backoff
// (about 2 s) gave them up and a rerun had to copy them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { heldReads } from '../../harness/personalities/held-reads.js';
import { startFaultProxy } from '../../harness/fault-proxy.js';
import { testCerts } from '../../harness/tls.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';

let source: RunningRegistry;
let target: RunningRegistry;
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('registry-restart');
});

after(async () => {
  await Promise.all([source, target].map((r) => r && destroyRegistry(r)));
});

test('a target restarted mid-sync (it refuses connections for 6 s): the tags in flight wait for it, the progress lines say so, the sync finishes, a rerun copies nothing', { timeout: 120_000 }, async () => {
  const tags = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8'];
  const images = await seedImage({ url: source.url }, { repository: 'restart/app', tags, format: 'oci', platforms: 1, layerBytes: 64 * 1024 });
  // The source's blob reads are held until the target has gone: every tag is in flight when it goes.
  const { personality: hold, reading, release } = heldReads('restart/app');
  const slow = await startFaultProxy(source.url, { tls: (await testCerts()).servers.good, upstreamCa: source.caFile, personalities: [hold] });
  try {
    const file = await writeConfig(dir, oneMirrorYaml(source, target, 'restart/app'));
    const run = runCli(['sync', '-c', file, '--progress-interval', '1', '--endpoint', `${source.host}=${slow.url}`], { env: { CI: 'true' } });
    await reading;
    await target.stop();
    release();
    await new Promise((resolve) => setTimeout(resolve, 6000));
    await target.start();
    const result = await run;
    assert.equal(result.exitCode, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /8 copied, 0 skipped, 0 conflicts, 0 failed/);
    // The wait is said as what it is: 'no answer from HOST' read as a hung registry.
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('synced '));
    const host = target.host.replace(/\./g, '\\.');
    assert.ok(lines.some((l) => new RegExp(`^synced \\d+/8 \\(image, tag\\).* · ${host} refuses connections: waiting up to 30 s for it to come back \\(\\d+ s so far, \\d+ requests?\\)$`).test(l)), `a line naming the restarting target: ${JSON.stringify(lines)}`);
    assert.ok(!lines.some((l) => l.includes(`no answer from ${target.host}`)), JSON.stringify(lines));
    // Without -v too, once as the wait begins and once as it ends, not per request (it was a -v
    // line alone: the progress line names a wait only once nothing moved for its interval).
    const said = result.stderr.split('\n').filter((l) => l.includes(target.host) && l.includes(' connections') && !l.startsWith('synced '));
    assert.deepEqual(said.map((l) => l.replace(/\d+\.\d s/, 'N s')), [
      `${target.host} stopped taking connections after carrying earlier ones: connections to it wait up to 30 s for it to come back (a restart)`,
      `${target.host} takes connections again after N s: the waiting ones go on`,
    ], result.stderr);
    for (const one of images) assert.equal(await skopeoDigestVerified(`${target.host}/mirror/app:${one.tag}`, target.certDir!), one.digest);
    const again = await runCli(['sync', '-c', file, '--no-progress']);
    assert.equal(again.exitCode, 0, again.stderr + again.stdout);
    assert.match(again.stdout, /0 copied, 8 skipped/);
  } finally {
    await slow.close();
  }
});

test('a target hung mid-sync (SIGSTOP for 6 s): the plain progress lines name it as not answering, and the sync finishes', { timeout: 120_000 }, async () => {
  const tags = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
  const images = await seedImage({ url: source.url }, { repository: 'hung/app', tags, format: 'oci', platforms: 1, layerBytes: 64 * 1024 });
  const { personality: hold, reading, release } = heldReads('hung/app');
  const slow = await startFaultProxy(source.url, { tls: (await testCerts()).servers.good, upstreamCa: source.caFile, personalities: [hold] });
  try {
    const file = await writeConfig(dir, oneMirrorYaml(source, target, 'hung/app', 'hung'));
    const run = runCli(['sync', '-c', file, '--progress-interval', '1', '--endpoint', `${source.host}=${slow.url}`], { env: { CI: 'true' } });
    await reading;
    target.hang(true);
    release();
    await new Promise((resolve) => setTimeout(resolve, 6000));
    target.hang(false);
    const result = await run;
    assert.equal(result.exitCode, 0, result.stderr + result.stdout);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('synced '));
    const host = target.host.replace(/\./g, '\\.');
    assert.ok(lines.some((l) => new RegExp(`^synced \\d+/6 \\(image, tag\\).* · no answer from ${host} for \\d+ s \\(\\d+ requests?\\)$`).test(l)), `a line naming the hung target: ${JSON.stringify(lines)}`);
    for (const one of images) assert.equal(await skopeoDigestVerified(`${target.host}/hung/app:${one.tag}`, target.certDir!), one.digest);
  } finally {
    target.hang(false);
    await slow.close();
  }
});
