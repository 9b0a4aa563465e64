// A token service that refuses (403) a token for a scope the credentials lack, rather than issue
// one with less access, as Harbor and GitLab do: a push to one repository refused while the same
// credentials pushed to the others. The line blamed the credentials themselves (tokens4 hunt):
// 'the token service at … refused the username and password (403): check them in mirrors.yaml's …',
// sending users after a password that worked. Credentials that still sign in (a token with no
// scope, docker login's own check) are told the access they lack.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { tokenService } from '../../harness/personalities/token-service.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { skopeoRawDigest } from '../reliability/helpers.js';
import { DST_CREDENTIALS, oneMirrorYaml } from '../../harness/tls-bed.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let app: SeededImage;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true, auth: 'token', realmPersonalities: [tokenService({ refusedScope: /^repository:mirror\/tool:.*push/ })] })]);
  [app] = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true }) as [SeededImage];
  await seedImage({ url: src.url }, { repository: 'jetstack/tool', tags: ['v1.0.0'], format: 'oci', single: true });
});

after(async () => {
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});


test('a scope refused to credentials that sign in: the line names the access they lack; the other repository copied, exit 1', async () => {
  const dir = await scratchDir('token-scope-refused');
  const file = await writeConfig(dir, oneMirrorYaml(src, [dst, DST_CREDENTIALS], ['jetstack/app', 'jetstack/tool']));
  const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { DST_USER: 'admin', DST_PASS: dst.users.admin } });
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  assert.ok(run.stdout.includes(`refused a token for pushing to ${dst.host}/mirror/tool (403), though the same username and password sign in there: they lack that access; grant it to them, or use credentials that have it (mirrors.yaml's registries.${dst.host}.credentials)`), run.stdout);
  assert.doesNotMatch(run.stdout, /refused the username and password/);
  assert.equal(await skopeoRawDigest(dst, 'mirror/app', 'v1.0.0'), app.digest);

  // Wrong credentials are still said to be wrong; refused at the only target, nothing could be
  // written anywhere: exit 3, as for a target down (SPEC), not 1.
  const wrong = await runCli(['sync', '-c', file, '--no-progress'], { env: { DST_USER: 'admin', DST_PASS: 'not-the-password' } });
  assert.equal(wrong.exitCode, 3, wrong.stderr + wrong.stdout);
  assert.match(wrong.stdout, /refused the username and password \(40[13]\): check them in mirrors\.yaml's/);
});
