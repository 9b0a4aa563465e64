// Docker credential helpers run for real: a fake `docker-credential-NAME` script on PATH,
// reached through credHelpers and through credsStore; and secrets kept out of -v lines.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { credentialsFor } from '../../../src/registry/credentials.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { createLogger } from '../../../src/ui/log.js';
import { AuthError } from '../../../src/types/errors.js';
import { destroyRegistry, startRegistry } from '../../harness/registry.js';
import { scratchDir } from '../../harness/scratch.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { seedImage } from '../../harness/seed.js';
import { adminPush } from '../reliability/helpers.js';

async function fakeHelper(dir: string, name: string, answers: Record<string, { Username: string; Secret: string }>): Promise<void> {
  const cases = Object.entries(answers)
    .map(([server, a]) => `  ${JSON.stringify(server)}) echo '${JSON.stringify({ ServerURL: server, ...a })}' ;;`)
    .join('\n');
  const script = `#!/bin/sh\n[ "$1" = get ] || exit 1\nread server\ncase "$server" in\n${cases}\n  *) echo "credentials not found in native keychain"; exit 1 ;;\nesac\n`;
  const path = join(dir, `docker-credential-${name}`);
  await writeFile(path, script);
  await chmod(path, 0o755);
}

describe('credential helpers', () => {
  it('asks credHelpers and credsStore helpers with the server URL on stdin', async () => {
    const dir = await scratchDir('helper');
    after(() => rm(dir, { recursive: true, force: true }));
    await fakeHelper(dir, 'fake', { 'gcr.io': { Username: 'oauth2accesstoken', Secret: 'gcr-secret-1' } });
    await fakeHelper(dir, 'store', {
      'https://index.docker.io/v1/': { Username: '<token>', Secret: 'hub-refresh-2' },
      'quay.io': { Username: 'robot', Secret: 'quay-secret-3' },
    });
    await writeFile(join(dir, 'config.json'), JSON.stringify({
      credHelpers: { 'gcr.io': 'fake' },
      credsStore: 'store',
      auths: { 'fallback.io': { auth: Buffer.from('fb:fb-pass').toString('base64') } },
    }));
    const env = { PATH: `${dir}:/usr/bin:/bin`, DOCKER_CONFIG: dir, HOME: dir };
    const provider = credentialsFor(undefined, { env });
    const config = join(dir, 'config.json');
    assert.deepEqual(await provider('gcr.io'), { username: 'oauth2accesstoken', password: 'gcr-secret-1', from: `docker-credential-fake, named in ${config}` });
    assert.deepEqual(await provider('docker.io'), { identityToken: 'hub-refresh-2', from: `docker-credential-store, named in ${config}` });
    assert.deepEqual(await provider('quay.io'), { username: 'robot', password: 'quay-secret-3', from: `docker-credential-store, named in ${config}` });
    assert.deepEqual(await provider('fallback.io'), { username: 'fb', password: 'fb-pass', from: `${config} (auths)` });
    assert.equal(await provider('nothing.io'), undefined);
  });
});

describe('secrets in output', () => {
  it('never shows a password or token in -v lines or errors', async () => {
    const reg = await startRegistry({ tls: true, auth: 'token', users: { admin: 'very-secret-admin-pw' } });
    after(() => destroyRegistry(reg));
    const lines: string[] = [];
    const client = new RegistryClient({
      registries: new Map([[reg.host, { host: reg.host, tls: 'verify', caFile: reg.caFile, maxAttempts: 1 }]]),
      credentials: async () => ({ username: 'admin', password: 'very-secret-admin-pw' }),
      logger: createLogger('verbose', (l) => lines.push(l)),
    });
    after(() => client.close());
    await client.repository(reg.host, 'secret/app', 'push').listTags();
    assert.ok(lines.some((l) => l.includes('/v2/secret/app/tags/list')), lines.join(''));
    const token = await reg.tokenServer!.mint('admin', ['repository:secret/app:pull']);
    const tokenPrefix = token.split('.')[0]!;
    for (const l of lines) {
      assert.ok(!l.includes('very-secret-admin-pw'));
      assert.ok(!l.includes(Buffer.from('admin:very-secret-admin-pw').toString('base64')));
      assert.ok(!l.includes(`${tokenPrefix}.`));
    }
    const bad = new RegistryClient({
      registries: new Map([[reg.host, { host: reg.host, tls: 'verify', caFile: reg.caFile, maxAttempts: 1 }]]),
      credentials: async () => ({ username: 'admin', password: 'wrong-secret-pw' }),
    });
    after(() => bad.close());
    await assert.rejects(bad.repository(reg.host, 'secret/app', 'pull').listTags(), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.ok(!e.message.includes('wrong-secret-pw'));
      return true;
    });
  });

  it('a registry with a password file: a wrong password, and none given, each say what to check, naming where credentials come from', async () => {
    const reg = await startRegistry({ auth: 'htpasswd', tls: true });
    after(() => destroyRegistry(reg));
    const settings = new Map([[reg.host, { host: reg.host, tls: 'verify' as const, caFile: reg.caFile, maxAttempts: 1 }]]);
    const wrong = new RegistryClient({ registries: settings, credentials: async () => ({ username: 'admin', password: 'wrong-secret-pw' }) });
    const none = new RegistryClient({ registries: settings, credentials: async () => undefined });
    after(() => Promise.all([wrong.close(), none.close()]));
    await assert.rejects(wrong.repository(reg.host, 'secret/app', 'pull').listTags(), (e: unknown) =>
      e instanceof AuthError && e.message === `${reg.host} refused the username and password sent to it (401): check them (registries.${reg.host}.credentials, or docker login ${reg.host})`);
    await assert.rejects(none.repository(reg.host, 'secret/app', 'pull').listTags(), (e: unknown) =>
      e instanceof AuthError && e.message.startsWith(`${reg.host} asks for a username and password (401): give them`));
  });
});

describe('a refused password, as a user meets it', () => {
  it('names the Docker config it came from, for a password file and for a token service', async () => {
    const [basicReg, tokenReg, dst] = await Promise.all([startRegistry({ auth: 'htpasswd', tls: true }), startRegistry({ auth: 'token', tls: true }), startRegistry({ tls: true })]);
    after(() => Promise.all([basicReg, tokenReg, dst].map(destroyRegistry)));
    const dir = await scratchDir('refused');
    after(() => rm(dir, { recursive: true, force: true }));
    for (const reg of [basicReg, tokenReg]) await seedImage(adminPush(reg), { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 1 });
    const dockerConfig = join(dir, 'docker');
    const wrong = Buffer.from('admin:wrong-secret-pw').toString('base64');
    await writeConfig(dockerConfig, JSON.stringify({ auths: { [basicReg.host]: { auth: wrong }, [tokenReg.host]: { auth: wrong } } }), 'config.json');
    const config = await writeConfig(dir, `version: 1
${registriesYaml([basicReg, tokenReg, dst])}images:
  - source: ${basicReg.host}/jetstack/app
    targets: [${dst.host}/basic]
  - source: ${tokenReg.host}/jetstack/app
    targets: [${dst.host}/token]
`);
    const run = await runCli(['sync', '-c', config], { env: { DOCKER_CONFIG: dockerConfig } });
    const out = run.stdout + run.stderr;
    assert.notEqual(run.exitCode, 0, out);
    const file = join(dockerConfig, 'config.json');
    assert.ok(out.includes(`${basicReg.host} refused the username and password sent to it (401): check them in ${file} (auths)`), out);
    assert.match(out, new RegExp(`${tokenReg.host}: the token service at \\S+ refused the username and password \\(401\\): check them in ${file} \\(auths\\)`));
    assert.ok(!out.includes('wrong-secret-pw') && !out.includes(wrong), 'a secret was printed');
  });
});

describe('podman login\'s auth.json, as skopeo reads it', () => {
  it('is found where REGISTRY_AUTH_FILE names no file: ${XDG_RUNTIME_DIR}/containers/auth.json, then ~/.config/containers/auth.json', async () => {
    const [src, dst] = await Promise.all([startRegistry({ auth: 'htpasswd', tls: true }), startRegistry({ tls: true })]);
    after(() => Promise.all([src, dst].map(destroyRegistry)));
    const dir = await scratchDir('podman-auth');
    await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 1 });
    const auth = JSON.stringify({ auths: { [src.host]: { auth: Buffer.from(`admin:${src.users.admin}`).toString('base64') } } });
    // `podman login` writes the first (a tmpfs per login session); `podman login --authfile` or an older podman the second.
    await writeConfig(join(dir, 'run', 'containers'), auth, 'auth.json');
    await writeConfig(join(dir, 'config', 'containers'), auth, 'auth.json');
    const config = await writeConfig(dir, `version: 1
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
    targets: [${dst.host}/podman]
`);
    const empty = join(dir, 'empty');
    for (const env of [{ XDG_RUNTIME_DIR: join(dir, 'run'), XDG_CONFIG_HOME: empty }, { XDG_RUNTIME_DIR: empty, XDG_CONFIG_HOME: join(dir, 'config') }]) {
      const run = await runCli(['plan', '-c', config, '--no-progress'], { env });
      assert.equal(run.exitCode, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /v1\.0\.0 .* copy /, run.stdout);
    }
    // REGISTRY_AUTH_FILE replaces podman's default file, as in skopeo (containers-auth.json(5)).
    const other = await writeConfig(join(dir, 'other'), '{"auths":{}}', 'auth.json');
    const run = await runCli(['plan', '-c', config, '--no-progress'], { env: { XDG_RUNTIME_DIR: join(dir, 'run'), XDG_CONFIG_HOME: empty, REGISTRY_AUTH_FILE: other } });
    assert.match(run.stdout, /asks for a username and password \(401\)/, run.stdout);
  });
});

// newuser2 hunt: a config.json edited by hand (a comma after its last entry), or an `auth` that is
// not base64 of user:password, was read as no login at all, without a word: the line said to
// `docker login` where the user had.
describe('a config.json that cannot be used', () => {
  it('is said once, naming the file or the entry, never the secret', async () => {
    const [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ auth: 'htpasswd', tls: true })]);
    after(() => Promise.all([src, dst].map(destroyRegistry)));
    const dir = await scratchDir('bad-docker-config');
    await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 1 });
    const config = await writeConfig(dir, `version: 1
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
    targets: [${dst.host}/bad-config]
`);
    const good = Buffer.from(`admin:${dst.users.admin}`).toString('base64');
    const trailing = await writeConfig(join(dir, 'trailing'), `{"auths":{"${dst.host}":{"auth":"${good}"}},}`, 'config.json');
    const run = await runCli(['plan', '-c', config, '--no-progress'], { env: { DOCKER_CONFIG: join(dir, 'trailing') } });
    assert.equal(run.exitCode, 3, run.stdout + run.stderr);
    const said = run.stderr.split('\n').filter((l) => l.includes(trailing));
    assert.equal(said.length, 1, run.stderr);
    assert.match(said[0]!, /^warning: \S+config\.json is not valid JSON \(.+\): no credentials are read from it \(auths, credHelpers, credsStore\); fix it, or log in again/);
    const noColon = Buffer.from('admin-and-no-password').toString('base64');
    await writeConfig(join(dir, 'nocolon'), JSON.stringify({ auths: { [`https://${dst.host}`]: { auth: noColon } } }), 'config.json');
    const entry = await runCli(['plan', '-c', config, '--no-progress'], { env: { DOCKER_CONFIG: join(dir, 'nocolon') } });
    assert.equal(entry.exitCode, 3, entry.stdout + entry.stderr);
    assert.ok(entry.stderr.includes(`warning: auths["https://${dst.host}"] in ${join(dir, 'nocolon', 'config.json')} has an auth that does not decode to user:password (base64 of "user:password", as docker login writes it): ${dst.host} is read without it`), entry.stderr);
    assert.ok(!(run.stderr + entry.stderr + run.stdout + entry.stdout).includes(noColon) && !(run.stderr + run.stdout).includes(good), 'a secret was printed');
  });
});

describe('a config.json entry for the host without its port', () => {
  it('is not used, and the refusal of anonymous access names its key, never the secret', async () => {
    const [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ auth: 'htpasswd', tls: true })]);
    after(() => Promise.all([src, dst].map(destroyRegistry)));
    const dir = await scratchDir('portless-docker-config');
    await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 1 });
    const config = await writeConfig(dir, `version: 1
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
    targets: [${dst.host}/portless]
`);
    // What `docker login 127.0.0.1` writes: docker and skopeo would not use it for 127.0.0.1:PORT either.
    const machine = dst.host.replace(/:\d+$/, '');
    const secret = Buffer.from(`admin:${dst.users.admin}`).toString('base64');
    const file = await writeConfig(join(dir, 'docker'), JSON.stringify({ auths: { [machine]: { auth: secret } } }), 'config.json');
    const run = await runCli(['sync', '-c', config, '--no-progress'], { env: { DOCKER_CONFIG: join(dir, 'docker') } });
    assert.equal(run.exitCode, 3, run.stdout + run.stderr);
    const out = run.stdout + run.stderr;
    assert.ok(out.includes(`${dst.host} asks for a username and password (401): give them (registries.${dst.host}.credentials, or docker login ${dst.host}); the Docker config entry "${machine}" in ${file} names ${machine} at another port or none, so it is not used for ${dst.host} (docker and skopeo match the port too): log in to ${dst.host} itself (docker login ${dst.host})`), out);
    assert.ok(!out.includes(secret) && !out.includes(dst.users.admin!), 'a secret was printed');
  });
});

// ceo3 hunt: a config.json from Docker Desktop keeps each login as an empty auths entry, its secret
// in the credsStore helper; where that helper is not installed, the refusal said to give credentials
// or `docker login HOST`, which had been done (and which would hand them to the same missing helper).
describe('a login kept by a credsStore helper that is not installed', () => {
  it('the refusal says where the login is and what holds it, never a secret', async () => {
    const [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ auth: 'htpasswd', tls: true })]);
    after(() => Promise.all([src, dst].map(destroyRegistry)));
    const dir = await scratchDir('desktop-docker-config');
    await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 1 });
    const config = await writeConfig(dir, `version: 1
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
    targets: [${dst.host}/desktop]
`);
    const file = await writeConfig(join(dir, 'docker'), JSON.stringify({ auths: { [dst.host]: {} }, credsStore: 'desktop' }), 'config.json');
    const run = await runCli(['sync', '-c', config, '--no-progress'], { env: { DOCKER_CONFIG: join(dir, 'docker') } });
    assert.equal(run.exitCode, 3, run.stdout + run.stderr);
    const out = run.stdout + run.stderr;
    assert.ok(out.includes(`${dst.host} asks for a username and password (401): give them (registries.${dst.host}.credentials, or docker login ${dst.host}); its login in ${file} (auths["${dst.host}"], which holds no secret) is kept by docker-credential-desktop, named as credsStore in ${file}, which is not installed here: install that helper, or give the credentials as registries.${dst.host}.credentials (a docker login here would hand them to the same missing helper)`), out);
    assert.ok(!out.includes(dst.users.admin!), 'a secret was printed');
  });
});
