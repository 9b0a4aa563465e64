import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { authsCredential, dockerConfigPaths, helperFor, helperServerUrl, nearMisses, normalizeServer } from '../../../src/registry/docker-config.js';
import { credentialsFor, missingCredentialEnv } from '../../../src/registry/credentials.js';
import { brokenCredentialEnv } from '../../../src/cli/credential-values.js';
import type { RegistrySettings } from '../../../src/config/model.js';
import { redact } from '../../../src/ui/redact.js';
import { scratchDir } from '../../harness/scratch.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('docker config lookup', () => {
  it('matches server addresses the way docker does', () => {
    assert.equal(normalizeServer('https://quay.io'), 'quay.io');
    assert.equal(normalizeServer('http://quay.io/v1/'), 'quay.io');
    assert.equal(normalizeServer('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(normalizeServer('registry-1.docker.io'), 'docker.io');
    assert.equal(helperServerUrl('docker.io'), 'https://index.docker.io/v1/');
    assert.equal(helperServerUrl('ghcr.io'), 'ghcr.io');
  });

  it('reads auths: base64 auth, username/password, identitytoken', () => {
    const config = {
      auths: {
        'https://quay.io': { auth: b64('robot+ci:pa:ss-word-1') },
        'ghcr.io': { username: 'octo', password: 'ghp-secret-2' },
        'https://index.docker.io/v1/': { identitytoken: 'hub-identity-3' },
        'empty.io': {},
      },
    };
    assert.deepEqual(authsCredential(config, 'quay.io'), { username: 'robot+ci', password: 'pa:ss-word-1' });
    assert.deepEqual(authsCredential(config, 'ghcr.io'), { username: 'octo', password: 'ghp-secret-2' });
    assert.deepEqual(authsCredential(config, 'docker.io'), { identityToken: 'hub-identity-3' });
    assert.equal(authsCredential(config, 'empty.io'), undefined);
    assert.equal(authsCredential(config, 'other.io'), undefined);
    assert.equal(redact('x pa:ss-word-1 hub-identity-3'), 'x [REDACTED] [REDACTED]');
  });

  it('finds credHelpers by host', () => {
    assert.equal(helperFor({ credHelpers: { 'https://gcr.io': 'gcloud' } }, 'gcr.io'), 'gcloud');
    assert.equal(helperFor({ credHelpers: {} }, 'gcr.io'), undefined);
  });

  it('looks in $DOCKER_CONFIG, else ~/.docker, then $REGISTRY_AUTH_FILE', () => {
    assert.deepEqual(dockerConfigPaths({ HOME: '/h' }), ['/h/.docker/config.json', '/h/.config/containers/auth.json']);
    assert.deepEqual(dockerConfigPaths({ HOME: '/h', XDG_RUNTIME_DIR: '/run/user/1', XDG_CONFIG_HOME: '/x' }), ['/h/.docker/config.json', '/run/user/1/containers/auth.json', '/x/containers/auth.json']);
    assert.deepEqual(dockerConfigPaths({ HOME: '/h', DOCKER_CONFIG: '/d', REGISTRY_AUTH_FILE: '/a.json' }), ['/d/config.json', '/a.json']);
  });
});

describe('credentialsFor', () => {
  const registries = new Map<string, RegistrySettings>([
    ['quay.io', { host: 'quay.io', tls: 'verify', credentials: { usernameEnv: 'Q_USER', passwordEnv: 'Q_PASS' } }],
    ['ghcr.io', { host: 'ghcr.io', tls: 'verify', credentials: { tokenEnv: 'GH_TOKEN' } }],
  ]);

  it('prefers mirrors.yaml env names, then Docker config, then anonymous', async () => {
    const dir = await scratchDir('dcfg');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'quay.io': { auth: b64('file-user:file-pass') } } }));
    const authFile = join(dir, 'auth.json');
    await writeFile(authFile, JSON.stringify({ auths: { 'registry.example.com': { auth: b64('podman:podman-pass') } } }));
    const withEnv = credentialsFor(registries, { env: { DOCKER_CONFIG: dir, Q_USER: 'env-user', Q_PASS: 'env-pass', GH_TOKEN: 'gh-token-xyz' } });
    assert.deepEqual(await withEnv('quay.io'), { username: 'env-user', password: 'env-pass', from: "mirrors.yaml's registries.quay.io.credentials" });
    assert.deepEqual(await withEnv('ghcr.io'), { registryToken: 'gh-token-xyz', from: "mirrors.yaml's registries.ghcr.io.credentials" });
    const fileOnly = credentialsFor(registries, { env: { DOCKER_CONFIG: dir, REGISTRY_AUTH_FILE: authFile } });
    assert.deepEqual(await fileOnly('quay.io'), { username: 'file-user', password: 'file-pass', from: `${join(dir, 'config.json')} (auths)` });
    assert.deepEqual(await fileOnly('registry.example.com'), { username: 'podman', password: 'podman-pass', from: `${authFile} (auths)` });
    assert.equal(await fileOnly('ghcr.io'), undefined);
  });

  it('reports env names that are unset', () => {
    assert.deepEqual(missingCredentialEnv(registries, { Q_USER: 'u' }), [
      { host: 'quay.io', variable: 'Q_PASS' },
      { host: 'ghcr.io', variable: 'GH_TOKEN' },
    ]);
    assert.deepEqual(missingCredentialEnv(registries, { Q_USER: 'u', Q_PASS: 'p', GH_TOKEN: 't' }), []);
    assert.deepEqual(missingCredentialEnv(undefined, {}), []);
  });

  it('reports env values that hold a line break: a trailing newline as such', () => {
    assert.deepEqual(brokenCredentialEnv(registries, { Q_USER: 'u', Q_PASS: 'p w\n', GH_TOKEN: 'a\r\n' }), [
      { host: 'quay.io', variable: 'Q_PASS', problem: 'ends in a newline' },
      { host: 'ghcr.io', variable: 'GH_TOKEN', problem: 'ends in a carriage return (CR)' },
    ]);
    // A line of a file saved on Windows: `tr -d '\n'` would leave its CR (newuser2 hunt).
    assert.deepEqual(brokenCredentialEnv(registries, { Q_USER: 'u', Q_PASS: 'p\r', GH_TOKEN: 't' }), [
      { host: 'quay.io', variable: 'Q_PASS', problem: 'ends in a carriage return (CR)' },
    ]);
    assert.deepEqual(brokenCredentialEnv(registries, { Q_USER: 'u\nv', Q_PASS: 'p w ', GH_TOKEN: 't' }), [
      { host: 'quay.io', variable: 'Q_USER', problem: 'holds a line break or NUL byte' },
    ]);
    assert.deepEqual(brokenCredentialEnv(registries, {}), []);
  });
});

it('nearMisses: entries for the same machine at another port or none, never the host itself', () => {
  const config = { auths: { '127.0.0.1': {}, 'https://127.0.0.1:5000/v2/': {}, '127.0.0.1:30507': {}, '127.0.0.10:30507': {}, '[::1]': {} }, credHelpers: { '127.0.0.1:8443': 'pass' } };
  assert.deepEqual(nearMisses(config, '127.0.0.1:30507'), ['127.0.0.1', 'https://127.0.0.1:5000/v2/', '127.0.0.1:8443']);
  assert.deepEqual(nearMisses(config, '[::1]:5000'), ['[::1]']);
  assert.deepEqual(nearMisses(config, 'quay.io'), []);
});
