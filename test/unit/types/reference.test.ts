import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRepository } from '../../../src/types/reference.js';
import { UnsupportedError } from '../../../src/types/errors.js';

test('a repository names its registry and path; a name without a host is Docker Hub\'s', () => {
  assert.deepEqual(parseRepository('quay.io/jetstack/cert-manager-controller'), { scheme: 'registry', registry: 'quay.io', repository: 'jetstack/cert-manager-controller' });
  assert.deepEqual(parseRepository('127.0.0.1:5000/app'), { scheme: 'registry', registry: '127.0.0.1:5000', repository: 'app' });
  assert.deepEqual(parseRepository('jetstack/cert-manager-controller'), { scheme: 'registry', registry: 'docker.io', repository: 'jetstack/cert-manager-controller' });
  assert.deepEqual(parseRepository('nginx'), { scheme: 'registry', registry: 'docker.io', repository: 'library/nginx' });
});

test('Docker Hub by name: official images live under library/, and index.docker.io is docker.io (as docker and skopeo read them)', () => {
  assert.deepEqual(parseRepository('docker.io/nginx'), { scheme: 'registry', registry: 'docker.io', repository: 'library/nginx' });
  assert.deepEqual(parseRepository('docker.io/library/nginx'), { scheme: 'registry', registry: 'docker.io', repository: 'library/nginx' });
  assert.deepEqual(parseRepository('index.docker.io/jetstack/cert-manager-controller'), { scheme: 'registry', registry: 'docker.io', repository: 'jetstack/cert-manager-controller' });
  // Other registries keep single-component paths as given.
  assert.deepEqual(parseRepository('ghcr.io/app'), { scheme: 'registry', registry: 'ghcr.io', repository: 'app' });
});

test('invalid names say what is wrong', () => {
  assert.throws(() => parseRepository('quay.io/Jetstack/App'), (e) => e instanceof UnsupportedError && /invalid repository name/.test(e.message));
  assert.throws(() => parseRepository('oci:'), UnsupportedError);
});
