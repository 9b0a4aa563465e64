// Credentials that are right but for how they were pasted (newuser2 hunt, a first mirrors.yaml for
// TLS registries): a password copied from a web page with its trailing spaces (or a non-breaking
// one) was only "refused … check them"; and a bearer token given (tokenEnv) for a registry that
// speaks Basic auth was told to "give" a username and password, as if nothing had been given.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { DST_CREDENTIALS, oneMirrorYaml } from '../../harness/tls-bed.js';

let src: RunningRegistry;
let basic: RunningRegistry;
let tokened: RunningRegistry;

before(async () => {
  [src, basic, tokened] = await Promise.all([
    startRegistry({ tls: true }), startRegistry({ tls: true, auth: 'htpasswd' }), startRegistry({ tls: true, auth: 'token' }),
  ]);
  await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true });
});

after(async () => {
  await Promise.all([src, basic, tokened].map((r) => r && destroyRegistry(r)));
});

test('a password with trailing spaces refused by Basic auth: the line says how it ends, never the password', async () => {
  const file = await writeConfig(await scratchDir('padded-basic'), oneMirrorYaml(src, [basic, DST_CREDENTIALS], 'jetstack/app'));
  const password = `${basic.users.admin!}  `;
  const run = await runCli(['plan', '-c', file, '--no-progress'], { env: { DST_USER: 'admin', DST_PASS: password } });
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  assert.ok(run.stdout.includes(`${basic.host} refused the username and password sent to it (401): check them in mirrors.yaml's registries.${basic.host}.credentials; the password sent ends in 2 spaces, as text copied from a web page or a file saved on Windows leaves: if the real one has none, set it without`), run.stdout);
  assert.ok(!(run.stdout + run.stderr).includes(basic.users.admin!), 'the password is never printed');
});

test('a password ending in a non-breaking space refused by a token service: its line says so too', async () => {
  const file = await writeConfig(await scratchDir('padded-token'), oneMirrorYaml(src, [tokened, DST_CREDENTIALS], 'jetstack/app'));
  const run = await runCli(['plan', '-c', file, '--no-progress'], { env: { DST_USER: 'admin', DST_PASS: `${tokened.users.admin!}\u00a0` } });
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  assert.match(run.stdout, /refused the username and password \(401\): check them in mirrors\.yaml's registries\.[\d.:]+\.credentials; the password sent ends in a non-breaking space \(U\+00A0\), as text/);
});

test('a tokenEnv for a registry that asks for Basic auth: said to take no bearer token, not to give credentials', async () => {
  const file = await writeConfig(await scratchDir('token-for-basic'), oneMirrorYaml(src, [basic, { credentials: '{ tokenEnv: DST_TOKEN }' }], 'jetstack/app'));
  const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { DST_TOKEN: 'a-token-for-elsewhere' } });
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  assert.ok(run.stderr.includes(`${basic.host} asks for a username and password (401, Basic auth) and takes no bearer token: the token from mirrors.yaml's registries.${basic.host}.credentials was not sent; give usernameEnv and passwordEnv there instead of tokenEnv`), run.stderr);
  assert.doesNotMatch(run.stdout + run.stderr, /give them \(registries\./);
  assert.ok(!(run.stdout + run.stderr).includes('a-token-for-elsewhere'), 'the token is never printed');
});

test('a password ending in a CR (a line of a file saved on Windows): exit 2 before any request, the fix removes the CR too', async () => {
  const file = await writeConfig(await scratchDir('cr-password'), oneMirrorYaml(src, [basic, DST_CREDENTIALS], 'jetstack/app'));
  const run = await runCli(['plan', '-c', file, '--no-progress'], { env: { DST_USER: 'admin', DST_PASS: `${basic.users.admin!}\r` } });
  assert.equal(run.exitCode, 2, run.stderr + run.stdout);
  assert.equal(run.stderr.trim(), `${file}:7:3: environment variable DST_PASS (credentials for ${basic.host}) ends in a carriage return (CR), as a line of a file saved on Windows (CRLF line ends) leaves one, and no password or token has: set it without (tr -d '\\r\\n', or dos2unix the file it came from)`);
});
