// A sync whose target credentials are a read-only robot account: the token service answers a
// push scope with a token that grants pull only. The run said "repository absent or access
// denied" and left the user to guess which; the token says which. One line per target naming
// the repository and that the credentials lack push, and no token request per request.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { adminPush } from '../reliability/helpers.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let dir: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ auth: 'token', tls: true, readOnlyUsers: ['reader'] })]);
  dir = await scratchDir('read-only-push');
  const tags = Array.from({ length: 8 }, (_, i) => `v1.${i}.0`);
  await seedImage(adminPush(src), { repository: 'jetstack/app', tags, format: 'oci', platforms: 2, layerBytes: 2048 });
});

after(async () => {
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('a read-only robot pushing: one clear line that its credentials lack push on the repository', { timeout: 60_000 }, async () => {
  const file = await writeConfig(dir, oneMirrorYaml(src, [dst, { credentials: '{ usernameEnv: DST_USER, passwordEnv: DST_PASS }' }], 'jetstack/app', 'cert-manager'));
  const run = await runCli(['sync', '-c', file, '--concurrency', '8', '--no-progress'], { env: { DST_USER: 'reader', DST_PASS: dst.users.reader! } });
  assert.equal(run.exitCode, 1, run.stderr);
  const said = run.stderr.split('\n').filter((l) => !/the same as for/.test(l) && l.trim());
  assert.equal(said.length, 1, run.stderr);
  assert.match(said[0]!, new RegExp(`${dst.host}/cert-manager/app: the credentials used for ${dst.host} \\(from mirrors\\.yaml's registries\\.${dst.host}\\.credentials\\) may pull but not push to it \\(its token service granted pull only\\)`));
  assert.doesNotMatch(run.stderr, /absent/);
  assert.doesNotMatch(run.stderr, new RegExp(dst.users.reader!));
  // The first token, its renewal after the 401, and maybe one more racing it: not one per blob.
  assert.ok(dst.tokenServer!.requests <= 4, `${dst.tokenServer!.requests} token requests`);
});
