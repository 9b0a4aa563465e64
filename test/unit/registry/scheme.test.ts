import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apiUrl, baseUrlFor, hostnameOf, isLoopback } from '../../../src/registry/http/scheme.js';
import type { RegistrySettings } from '../../../src/config/model.js';
import { UsageError } from '../../../src/types/errors.js';

const settings = (host: string, extra: Partial<RegistrySettings>): RegistrySettings => ({ host, tls: 'verify', ...extra });

describe('scheme resolution', () => {
  it('recognises loopback hosts', () => {
    for (const h of ['localhost', 'localhost:5000', '127.0.0.1', '127.1.2.3:5000', '[::1]:5000', '[::1]']) assert.equal(isLoopback(h), true, h);
    for (const h of ['quay.io', '10.0.0.1:5000', 'localhost.example.com', '128.0.0.1']) assert.equal(isLoopback(h), false, h);
    assert.equal(hostnameOf('[::1]:5000'), '::1');
    assert.equal(hostnameOf('quay.io:443'), 'quay.io');
  });

  it('uses http for loopback and https elsewhere', () => {
    assert.equal(baseUrlFor('127.0.0.1:5000').href, 'http://127.0.0.1:5000/');
    assert.equal(baseUrlFor('[::1]:5000').href, 'http://[::1]:5000/');
    assert.equal(baseUrlFor('quay.io').href, 'https://quay.io/');
    assert.equal(baseUrlFor('quay.io', settings('quay.io', { tls: 'insecure' })).href, 'https://quay.io/');
  });

  it('sends Docker Hub\'s requests to its API host, registry-1.docker.io, unless an endpoint says otherwise', () => {
    assert.equal(baseUrlFor('docker.io').href, 'https://registry-1.docker.io/');
    assert.equal(apiUrl(baseUrlFor('docker.io'), 'library/nginx/tags/list').href, 'https://registry-1.docker.io/v2/library/nginx/tags/list');
    assert.equal(baseUrlFor('docker.io', undefined, 'http://127.0.0.1:5000').href, 'http://127.0.0.1:5000/');
    assert.equal(baseUrlFor('registry-1.docker.io').href, 'https://registry-1.docker.io/');
  });

  it('honours tls: disabled and tls: insecure', () => {
    assert.equal(baseUrlFor('registry.internal:5000', settings('registry.internal:5000', { tls: 'disabled' })).href, 'http://registry.internal:5000/');
    assert.equal(baseUrlFor('localhost:5000', settings('localhost:5000', { tls: 'insecure' })).href, 'https://localhost:5000/');
  });

  it('lets an explicit tls: verify on a loopback host win over the plain-HTTP default (issue 9)', () => {
    assert.equal(baseUrlFor('127.0.0.1:5443', settings('127.0.0.1:5443', { tls: 'verify' })).href, 'https://127.0.0.1:5443/');
    assert.equal(baseUrlFor('[::1]:5443', settings('[::1]:5443', { tls: 'verify', caFile: '/ca.pem' })).href, 'https://[::1]:5443/');
  });

  it('lets --endpoint win over settings.endpoint, keeping a path prefix', () => {
    const s = settings('quay.io', { endpoint: 'https://mirror.internal:8443/prefix/' });
    assert.equal(baseUrlFor('quay.io', s).href, 'https://mirror.internal:8443/prefix');
    assert.equal(baseUrlFor('quay.io', s, 'http://127.0.0.1:5000').href, 'http://127.0.0.1:5000/');
    assert.equal(apiUrl(baseUrlFor('quay.io', s), 'a/b/tags/list?n=10').href, 'https://mirror.internal:8443/prefix/v2/a/b/tags/list?n=10');
    assert.throws(() => baseUrlFor('quay.io', undefined, 'ftp://x'), UsageError);
    assert.throws(() => baseUrlFor('quay.io', undefined, 'not a url'), UsageError);
  });
});
