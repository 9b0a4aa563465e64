// A registry that goes away mid-run: the other target still completes, sync exits 1 and names
// what is left, and once the registry is back a re-run finishes the job. Nothing reachable: exit 3.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { getManifestDigest, seedImage } from '../../harness/seed.js';
import { testCerts } from '../../harness/tls.js';
import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { adminPush, digestDifferences, missingParts } from './helpers.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let a: RunningRegistry; // goes down mid-run
let b: RunningRegistry;
let slow: FaultProxy; // in front of the source, so the run lasts long enough to be cut
let dir: string;
const TAGS = ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0', 'v1.4.0', 'v1.5.0'];

before(async () => {
  // Over TLS (issue 9); the slow proxy in front of the source speaks HTTPS too (same test CA).
  [src, a, b] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true }), startRegistry({ tls: true })]);
  slow = await startFaultProxy(src.url, { tls: (await testCerts()).servers.good, upstreamCa: src.caFile });
  dir = await scratchDir('outage');
  await seedImage(adminPush(src), { repository: 'jetstack/app', tags: TAGS, format: 'oci', platforms: 2, layerBytes: 4096 });
});

after(async () => {
  await slow?.close();
  await Promise.all([src, a, b].map((r) => r && destroyRegistry(r)));
});

// A tag counts once its link file is on disk (the directory alone may be a write the stop cut short).
async function tagsWritten(reg: RunningRegistry, repo: string): Promise<string[]> {
  const dir = join(reg.dataDir, 'docker/registry/v2/repositories', repo, '_manifests/tags');
  const names = await readdir(dir).catch(() => [] as string[]);
  const linked = await Promise.all(names.map((n) => access(join(dir, n, 'current/link')).then(() => n, () => undefined)));
  return linked.filter((n): n is string => n !== undefined);
}

async function linkWhole(reg: RunningRegistry, repo: string, tag: string): Promise<boolean> {
  const link = await readFile(join(reg.dataDir, 'docker/registry/v2/repositories', repo, '_manifests/tags', tag, 'current/link'), 'utf8').catch(() => '');
  return /^sha256:[0-9a-f]{64}$/.test(link);
}

test('a target stopped mid-run: the other completes, exit 1 names what is left; restarted, a re-run and verify exit 0', async () => {
  slow.inject({ method: 'GET', path: /\/blobs\//, times: Infinity, fault: { kind: 'delay', ms: 150 } });
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${a.host}/cert-manager, ${b.host}/cert-manager]
registries:
  ${src.host}: { caFile: ${src.caFile} }
  ${a.host}: { maxAttempts: 2, caFile: ${a.caFile} }
  ${b.host}: { caFile: ${b.caFile} }
images:
  - source: ${src.host}/jetstack/app
`);
  const running = runCli(['sync', '-c', file, '--concurrency', '1', '--endpoint', `${src.host}=${slow.url}`]);
  // Stop A as soon as its first tag is written (the run has more to do).
  const deadline = Date.now() + 60_000;
  while ((await tagsWritten(a, 'cert-manager/app')).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await a.stop();
  const run = await running;
  const writtenAtA = await tagsWritten(a, 'cert-manager/app');
  assert.ok(writtenAtA.length >= 1 && writtenAtA.length < TAGS.length, `A got ${writtenAtA.length} tags before it stopped`);
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  const left = TAGS.filter((t) => !writtenAtA.includes(t));
  const out = run.stdout + run.stderr;
  assert.match(out, new RegExp(`${a.host}/cert-manager/app`), 'the output names the target left behind');
  for (const tag of left) assert.match(out, new RegExp(`${tag.replace(/\./g, '\\.')}[^\\n]*${a.host}|${a.host}[^\\n]*${tag.replace(/\./g, '\\.')}`), `${tag} at A is not named as left`);
  assert.deepEqual((await digestDifferences(src, 'jetstack/app', [[b, 'cert-manager/app']])).wrong, [], 'B completed');

  await a.start();
  // What A holds is never half an image: every tag that resolves after the outage is complete.
  for (const tag of writtenAtA) {
    // A link file the stop cut short (distribution writes it in place) is a write that did not
    // happen: the registry answers 500 for it, and a re-run writes it whole.
    if (!(await linkWhole(a, 'cert-manager/app', tag))) continue;
    if (!(await getManifestDigest(adminPush(a), 'cert-manager/app', tag))) continue; // its write was cut by the stop
    assert.deepEqual(await missingParts(adminPush(a), 'cert-manager/app', tag), [], tag);
  }
  slow.clear();
  const again = await runCli(['sync', '-c', file, '--endpoint', `${src.host}=${slow.url}`]);
  assert.equal(again.exitCode, 0, again.stderr + again.stdout);
  assert.deepEqual((await digestDifferences(src, 'jetstack/app', [[a, 'cert-manager/app'], [b, 'cert-manager/app']])).wrong, []);
  const verify = await runCli(['verify', '-c', file]);
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
});

test('every registry down from the start: sync exits 3, verify exits 3, each with one line and no stack trace', async () => {
  const down = await startRegistry();
  const hosts = [down.host];
  const targets = await Promise.all([startRegistry(), startRegistry()]);
  hosts.push(...targets.map((t) => t.host));
  await Promise.all([down, ...targets].map((r) => destroyRegistry(r)));
  const file = await writeConfig(join(dir, 'down'), `version: 1
defaults:
  targets: [${hosts[1]}/cert-manager, ${hosts[2]}/cert-manager]
registries:
${hosts.map((h) => `  ${h}: { maxAttempts: 2 }`).join('\n')}
images:
  - source: ${hosts[0]}/jetstack/app
`);
  const sync = await runCli(['sync', '-c', file]);
  assert.equal(sync.exitCode, 3, sync.stderr + sync.stdout);
  assert.doesNotMatch(sync.stderr, /\n\s+at /, 'no stack trace');
  assert.match(sync.stdout + sync.stderr, new RegExp(hosts[0]!.replace(/\./g, '\\.')), 'names the unreachable source');
  const verify = await runCli(['verify', '-c', file]);
  assert.equal(verify.exitCode, 3, verify.stderr + verify.stdout);
  assert.doesNotMatch(verify.stderr, /\n\s+at /);
});

test('a source whose load balancer answers 502 to everything (the registry behind it down): sync exits 3, saying so once per repository', async () => {
  slow.clear();
  slow.inject({ times: Infinity, fault: { kind: 'page', status: 502 } });
  try {
    const file = await writeConfig(join(dir, 'lb-down'), `version: 1
defaults:
  targets: [${a.host}/lb-down]
registries:
  ${src.host}: { caFile: ${src.caFile}, maxAttempts: 2 }
  ${a.host}: { caFile: ${a.caFile} }
images:
  - source: ${src.host}/jetstack/app
`);
    const sync = await runCli(['sync', '-c', file, '--endpoint', `${src.host}=${slow.url}`]);
    assert.equal(sync.exitCode, 3, sync.stderr + sync.stdout);
    assert.match(sync.stdout, /cannot list tags: GET \S+\/tags\/list: 502 Bad Gateway, an HTML page.*\(tried 2 times\)/);
    assert.doesNotMatch(sync.stderr, /\n\s+at /);
  } finally {
    slow.clear();
  }
});
