// A target that accepts the connection and never answers (quay.io hung at 3 a.m.: a real nginx in
// front of a docker-registry stopped with SIGSTOP) decided when the run ended: each request to it
// waited its own 5 attempts × 60 s. Once one request got no answer for the whole minute, nothing
// else from the host answering since, the host is silent: no attempt to it is made again, and the
// run ends after one answer timeout. The healthy target gets everything, the silent one's rows and
// the exit code are as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { startNginx, type RunningNginx } from '../../harness/nginx.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';
import { skopeoDigest } from '../../harness/skopeo.js';

const NAMES = ['app-a', 'app-b', 'app-c'];
let src: RunningRegistry;
let up: RunningRegistry;
let hung: RunningRegistry;
let nginx: RunningNginx;
let images: SeededImage[];

before(async () => {
  [src, up, hung] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
  // The recipe's nginx waits 900 s for the registry: to regmirror the host is silent.
  nginx = await startNginx(hung);
  images = (await Promise.all(NAMES.map((name) => seedImage({ url: src.url }, { repository: `jetstack/${name}`, tags: ['v1.0.0'], format: 'oci', platforms: 1 })))).flat();
});

after(async () => {
  hung?.hang(false);
  await nginx?.close();
  await Promise.all([src, up, hung].map((r) => r && destroyRegistry(r)));
});

test('a silent target is asked once per request, not maxAttempts times: the run ends after one answer timeout, the healthy target complete', { timeout: 600_000 }, async () => {
  const file = await writeConfig(await scratchDir('silent'), `version: 1
defaults:
  targets: [${nginx.host}/silent, ${up.host}/silent]
${registriesYaml([[nginx, { maxAttempts: 5 }]])}images:
${NAMES.map((name) => `  - source: ${src.host}/jetstack/${name}\n`).join('')}`);
  hung.hang(true);
  let sync;
  try {
    sync = await runCli(['sync', '-c', file, '--no-progress', '-v'], { timeoutMs: 540_000 });
  } finally {
    hung.hang(false);
  }
  assert.equal(sync.exitCode, 1, sync.stderr + sync.stdout);
  for (const [i, name] of NAMES.entries()) assert.equal(await skopeoDigest(`${up.host}/silent/${name}:v1.0.0`), images[i]!.digest);
  // Each request to the silent host failed once (-v: 'GET URL failed after N ms'); before, each
  // of them five times, the run taking 5 × 60 s.
  const failed = sync.stderr.split('\n').flatMap((l) => /^(?:.* )?(GET|HEAD) (https:\/\/\S+) failed after/.exec(l)?.slice(1, 3).join(' ') ?? []).filter((l) => l.includes(nginx.host));
  assert.ok(failed.length >= NAMES.length, sync.stderr);
  assert.deepEqual(failed, [...new Set(failed)], `a request to the silent host was sent again:\n${failed.join('\n')}`);
  const rows = sync.stdout.split('\n').filter((l) => l.includes(`${nginx.host}/silent/`));
  assert.equal(rows.length, NAMES.length, sync.stdout);
  for (const row of rows) assert.match(row, /failed .*cannot list tags: [^ ]+ unreachable: GET https:\/\/[^ ]+\/v2\/silent\/app-.\/tags\/list: it accepted the request but sent no answer in time \(UND_ERR_HEADERS_TIMEOUT\)/);
  assert.match(sync.stderr, /, 0 retries,/, sync.stderr);
});
