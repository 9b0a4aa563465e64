// The digest record of a backfill split into shards that run at the same time on one checkout
// (one mirrors.yaml, one `lock:` file): each shard read the record when it started and wrote its
// own view back at the end, so the shard that finished last erased what the others had recorded.
// A record that holds only some of the mirrored tags protects only those from a moved source tag.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let slow: FaultProxy;
let dir: string;
const TAGS = ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0', 'v1.4.0', 'v1.5.0', 'v1.6.0', 'v1.7.0'];
const digests: Record<string, string> = {};

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('lock-shards');
  for (const img of await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: TAGS, format: 'oci', single: true })) digests[img.tag] = img.digest;
  // Shard 1 reaches the target through a proxy that holds every manifest PUT for 3 s, so it is
  // still copying when shard 2 has finished and written the record.
  slow = await proxyFor(dst);
  slow.inject({ method: 'PUT', path: /\/manifests\//, times: Infinity, fault: { kind: 'delay', ms: 3000 } });
});

after(async () => {
  await slow?.close();
  await Promise.all([src?.stop(), dst?.stop()]);
});

test('shards running at the same time against one lock file together record every tag', { timeout: 300_000 }, async () => {
  const config = await writeConfig(dir, `version: 1
lock: ./mirrors.lock
defaults:
  targets: [${dst.host}/cert-manager]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
`);
  const [one, two] = await Promise.all([
    runCli(['sync', '-c', config, '--shard', '1/2', '-q', '--endpoint', `${dst.host}=${slow.url}`]),
    runCli(['sync', '-c', config, '--shard', '2/2', '-q']),
  ]);
  assert.equal(one.exitCode, 0, one.stderr);
  assert.equal(two.exitCode, 0, two.stderr);
  const lock = JSON.parse(await readFile(join(dir, 'mirrors.lock'), 'utf8')) as { images: Record<string, Record<string, { digest: string }>> };
  const recorded = lock.images[`${src.host}/jetstack/app`] ?? {};
  assert.deepEqual(Object.keys(recorded), TAGS, 'every tag of both shards is in the record');
  for (const tag of TAGS) assert.equal(recorded[tag]!.digest, digests[tag], tag);
});
