// A bearer token given as it is (mirrors.yaml's tokenEnv) that the registry refuses as invalid
// (401 with error="invalid_token": expired, revoked, or issued for another registry). The line
// was quay's absent-or-private one (tokens4 hunt: a token minted for another registry, one of two
// targets): 'repository absent or access denied (GET answered 401 after authenticating): check the
// repository name and that the credentials used for HOST … may push to it', when neither the
// repository nor its access was at fault but the token itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerFor, destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let tokened: RunningRegistry; // the target the token is given for
let other: RunningRegistry; // whose token service minted it
let open: RunningRegistry;
let image: SeededImage;

before(async () => {
  [src, tokened, other, open] = await Promise.all([
    startRegistry({ tls: true }), startRegistry({ tls: true, auth: 'token' }), startRegistry({ tls: true, auth: 'token' }), startRegistry({ tls: true }),
  ]);
  [image] = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true }) as [SeededImage];
});

after(async () => {
  await Promise.all([src, tokened, other, open].map((r) => r && destroyRegistry(r)));
});

test('a tokenEnv token the registry calls invalid: the line says so, the other target copied, exit 1, the token never printed', async () => {
  const token = await bearerFor(other, 'repository:cert-manager/app:pull,push');
  const dir = await scratchDir('token-env-invalid');
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${tokened.host}/cert-manager, ${open.host}/cert-manager]
registries:
  ${src.host}: { caFile: ${src.caFile} }
  ${open.host}: { caFile: ${open.caFile} }
  ${tokened.host}:
    caFile: ${tokened.caFile}
    credentials: { tokenEnv: T_TOKEN }
images:
  - source: ${src.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', file, '--no-progress', '-v'], { env: { T_TOKEN: token } });
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  const said = `${tokened.host}: it refused the bearer token from mirrors.yaml's registries.${tokened.host}.credentials as invalid (401 invalid_token: expired, revoked, or issued for another registry): give a current token for ${tokened.host}`;
  assert.ok(run.stdout.includes(said), run.stdout);
  assert.doesNotMatch(run.stdout + run.stderr, /repository absent or access denied/);
  assert.ok(!(run.stdout + run.stderr).includes(token), 'the token is never printed');
  assert.equal(await skopeoDigestVerified(`${open.host}/cert-manager/app:v1.0.0`, open.certDir!), image.digest);
});

// newuser hunt: a token read from a file written by `echo` (or a Secret made with `echo … | base64`)
// ends in a newline. undici refuses such a header before sending it, and the run said
// 'cannot list tags: HOST unreachable: GET …/tags/list: UND_ERR_INVALID_ARG' on every row, exit 3,
// of a registry that was up. A password so is refused as wrong. Both stop before any request now.
test('a tokenEnv or passwordEnv value ending in a newline: one FILE:LINE:COL line naming the variable, exit 2, the value never printed', async () => {
  const token = await bearerFor(tokened, 'repository:cert-manager/app:pull,push');
  const dir = await scratchDir('token-env-newline');
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${tokened.host}/cert-manager]
registries:
  ${src.host}:
    caFile: ${src.caFile}
    credentials: { usernameEnv: S_USER, passwordEnv: S_PASS }
  ${tokened.host}:
    caFile: ${tokened.caFile}
    credentials: { tokenEnv: T_TOKEN }
images:
  - source: ${src.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { T_TOKEN: `${token}\n`, S_USER: 'u', S_PASS: 'p' } });
  assert.equal(run.exitCode, 2, run.stderr + run.stdout);
  assert.equal(run.stderr.trim(), `${file}:8:3: environment variable T_TOKEN (credentials for ${tokened.host}) ends in a newline, as a file written by \`echo\` or a Secret made with \`echo … | base64\` leaves one, and no password or token has: set it without (printf '%s' …, or tr -d '\\n')`);
  assert.ok(!(run.stdout + run.stderr).includes(token), 'the token is never printed');
  // A source only read from is no exception: its password is set, only wrong.
  const read = await runCli(['verify', '-c', file, '--no-progress'], { env: { T_TOKEN: token, S_USER: 'u', S_PASS: 'hunter2 secret\n' } });
  assert.equal(read.exitCode, 2, read.stderr + read.stdout);
  assert.match(read.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:3: environment variable S_PASS \\(credentials for ${src.host.replace(/\./g, '\\.')}\\) ends in a newline`));
  assert.doesNotMatch(read.stdout + read.stderr, /hunter2/);
});
