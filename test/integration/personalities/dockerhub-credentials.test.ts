// Docker Hub's 429 (no Retry-After) met by a run that pulls with credentials: the warning must
// not tell the user to add credentials, as it may an anonymous run (personalities3 hunt: a
// backfill pulling with mirrors.yaml credentials got '… and so do credentials where the limit is
// for anonymous pulls' from every rate-limited registry).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { dockerHub } from '../../harness/personalities/dockerhub.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { adminPush } from '../reliability/helpers.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry; // token auth, pulled with credentials
let dst: RunningRegistry;
let proxy: FaultProxy;
let images: SeededImage[];
const hub = dockerHub({ limit: 15, windowMs: 3000 });

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ auth: 'token', tls: true }), startRegistry({ tls: true })]);
  proxy = await proxyFor(src, { personalities: [hub.play] });
  const tags = Array.from({ length: 8 }, (_, i) => `v1.${i}.0`);
  images = await seedImage(adminPush(src), { repository: 'library/app', tags, format: 'oci', single: true });
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('a 429 to a run that pulls with credentials names them, and suggests none', async () => {
  const file = await writeConfig(await scratchDir('dockerhub-creds'), `version: 1
defaults:
  targets: [${dst.host}/mirror]
${registriesYaml([[src, { credentials: '{ usernameEnv: HUB_USER, passwordEnv: HUB_PASS }' }], dst])}images:
  - source: ${src.host}/library/app
`);
  const run = await runCli(['sync', '-c', file, '--endpoint', `${src.host}=${proxy.url}`], { env: { HUB_USER: 'admin', HUB_PASS: src.users.admin }, timeoutMs: 200_000 });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(hub.stats.limited > 0, 'the rate limit was never reached: the test proves nothing');
  const warnings = run.stderr.split('\n').filter((l) => /answers 429/.test(l));
  assert.equal(warnings.length, 1, run.stderr);
  assert.match(warnings[0]!, new RegExp(`a lower registries\\.${src.host}\\.concurrency avoids it; its requests already carry credentials \\(mirrors\\.yaml's registries\\.${src.host}\\.credentials\\), so the limit is theirs, shared with any other run using them$`));
  assert.doesNotMatch(warnings[0]!, /so do credentials/);
  for (const image of images) assert.equal(await skopeoDigest(`${dst.host}/mirror/app:${image.tag}`), image.digest, image.tag);
});
