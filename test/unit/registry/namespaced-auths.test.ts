import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { authsCredential, keyNamespace } from '../../../src/registry/docker-config.js';
import { namespacedCredential } from '../../../src/registry/namespaced-auths.js';
import { credentialsFor } from '../../../src/registry/credentials.js';
import { repositoryOf } from '../../../src/registry/http/challenge.js';
import type { RegistrySettings } from '../../../src/config/model.js';
import { scratchDir } from '../../harness/scratch.js';

const login = (user: string) => ({ auth: Buffer.from(`${user}:${user}-pass`).toString('base64') });

describe('auths keys naming a namespace (containers-auth.json(5))', () => {
  it('tells a namespace key from a host key; a URL key is a host whatever its path', () => {
    assert.deepEqual(keyNamespace('quay.io/jetstack'), { server: 'quay.io', path: 'jetstack' });
    assert.deepEqual(keyNamespace('Quay.IO/cert-manager/cmctl/'), { server: 'quay.io', path: 'cert-manager/cmctl' });
    assert.deepEqual(keyNamespace('index.docker.io/library'), { server: 'docker.io', path: 'library' });
    assert.equal(keyNamespace('quay.io'), undefined);
    assert.equal(keyNamespace('quay.io/'), undefined);
    assert.equal(keyNamespace('https://index.docker.io/v1/'), undefined);
    assert.equal(keyNamespace('http://quay.io/v1/'), undefined);
  });

  it('picks the most specific key above a repository, at segment boundaries only', () => {
    const config = { auths: { 'quay.io/jetstack': login('org'), 'quay.io/jetstack/cert-manager-controller': login('repo'), 'quay.io/jet': login('jet'), 'ghcr.io/jetstack': login('gh') } };
    assert.equal(namespacedCredential(config, 'quay.io', 'jetstack/cert-manager-controller')?.key, 'quay.io/jetstack/cert-manager-controller');
    assert.deepEqual(namespacedCredential(config, 'quay.io', 'jetstack/cert-manager-webhook'), { credential: { username: 'org', password: 'org-pass' }, key: 'quay.io/jetstack', depth: 1 });
    assert.equal(namespacedCredential(config, 'quay.io', 'jetstackers/app'), undefined);
    assert.equal(namespacedCredential(config, 'quay.io', 'cert-manager/app'), undefined);
  });

  it('passes over an entry that holds no credential, and says so', () => {
    const said: string[] = [];
    const config = { auths: { 'quay.io/jetstack/app': { auth: 'not-base64-colon' }, 'quay.io/jetstack': login('org') } };
    assert.equal(namespacedCredential(config, 'quay.io', 'jetstack/app', (k) => said.push(k))?.key, 'quay.io/jetstack');
    assert.deepEqual(said, ['quay.io/jetstack/app']);
  });

  it('a namespace key is no login for its whole host', () => {
    assert.equal(authsCredential({ auths: { 'quay.io/cert-manager': login('cm') } }, 'quay.io'), undefined);
    assert.deepEqual(authsCredential({ auths: { 'quay.io/cert-manager': login('cm'), 'https://quay.io/v1/': login('host') } }, 'quay.io'), { username: 'host', password: 'host-pass' });
  });
});

describe('credentialsFor with a repository', () => {
  it('the most specific key in any file, then the host\'s login; mirrors.yaml first of all', async () => {
    const dir = await scratchDir('namespaced-auths');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'quay.io': login('docker-host'), 'quay.io/jetstack': login('docker-org') } }));
    await writeFile(join(dir, 'auth.json'), JSON.stringify({ auths: { 'quay.io/jetstack/app': login('podman-repo'), 'quay.io/cert-manager': login('podman-cm') } }));
    const env = { DOCKER_CONFIG: dir, REGISTRY_AUTH_FILE: join(dir, 'auth.json'), HOME: dir };
    const provider = credentialsFor(undefined, { env });
    const user = async (host: string, repository?: string) => {
      const c = await provider(host, repository);
      return c && 'username' in c ? `${c.username} from ${c.from?.replace(dir, 'DIR')}` : c;
    };
    assert.equal(await user('quay.io', 'jetstack/app'), 'podman-repo from DIR/auth.json (auths["quay.io/jetstack/app"])');
    assert.equal(await user('quay.io', 'jetstack/other'), 'docker-org from DIR/config.json (auths["quay.io/jetstack"])');
    assert.equal(await user('quay.io', 'cert-manager/app'), 'podman-cm from DIR/auth.json (auths["quay.io/cert-manager"])');
    assert.equal(await user('quay.io', 'someone/app'), 'docker-host from DIR/config.json (auths)');
    assert.equal(await user('quay.io'), 'docker-host from DIR/config.json (auths)');
    assert.equal(await user('ghcr.io', 'jetstack/app'), undefined);
    const settings = new Map<string, RegistrySettings>([['quay.io', { host: 'quay.io', tls: 'verify', credentials: { usernameEnv: 'Q_USER', passwordEnv: 'Q_PASS' } }]]);
    const yaml = credentialsFor(settings, { env: { ...env, Q_USER: 'yaml', Q_PASS: 'yaml-pass' } });
    const c = await yaml('quay.io', 'jetstack/app');
    assert.equal(c && 'username' in c ? c.username : c, 'yaml');
  });
});

it('repositoryOf: the repository pushed to, else the one read; none for the ping', () => {
  assert.equal(repositoryOf(['repository:cert-manager/app:pull,push', 'repository:jetstack/app:pull'].sort()), 'cert-manager/app');
  assert.equal(repositoryOf(['repository:jetstack/app:pull']), 'jetstack/app');
  assert.equal(repositoryOf(['repository:127.0.0.1:5000/odd:pull']), '127.0.0.1:5000/odd');
  assert.equal(repositoryOf([]), undefined);
  assert.equal(repositoryOf(['registry:catalog:*']), undefined);
});
