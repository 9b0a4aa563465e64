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
    assert.deepEqual(await provider('gcr.io'), { username: 'oauth2accesstoken', password: 'gcr-secret-1' });
    assert.deepEqual(await provider('docker.io'), { identityToken: 'hub-refresh-2' });
    assert.deepEqual(await provider('quay.io'), { username: 'robot', password: 'quay-secret-3' });
    assert.deepEqual(await provider('fallback.io'), { username: 'fb', password: 'fb-pass' });
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

