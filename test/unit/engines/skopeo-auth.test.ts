import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { authFileContent, SkopeoWorkdir } from '../../../src/engines/skopeo-auth.js';
import { UsageError } from '../../../src/types/errors.js';
import { redact } from '../../../src/ui/redact.js';

describe('authFileContent', () => {
  it('basic credentials as base64(user:pass) under the host', () => {
    const parsed = JSON.parse(authFileContent('127.0.0.1:5000', { username: 'admin', password: 'pa:ss-word-1' }));
    assert.deepEqual(Object.keys(parsed.auths), ['127.0.0.1:5000']);
    assert.equal(Buffer.from(parsed.auths['127.0.0.1:5000'].auth, 'base64').toString(), 'admin:pa:ss-word-1');
    assert.ok(!redact(`x ${parsed.auths['127.0.0.1:5000'].auth} y`).includes(parsed.auths['127.0.0.1:5000'].auth), 'base64 auth registered as a secret');
  });

  it('an identity token as identitytoken, with an auth containers/image accepts', () => {
    const parsed = JSON.parse(authFileContent('ghcr.io', { identityToken: 'refresh-abc-123' }));
    assert.equal(parsed.auths['ghcr.io'].identitytoken, 'refresh-abc-123');
    assert.match(Buffer.from(parsed.auths['ghcr.io'].auth, 'base64').toString(), /^[^:]+:$/);
  });

  it('refuses a bearer registry token rather than putting it on the command line', () => {
    assert.throws(() => authFileContent('ghcr.io', { registryToken: 'tok-tok-tok' }), (err) => err instanceof UsageError && !err.message.includes('tok-tok-tok'));
  });
});

describe('SkopeoWorkdir', () => {
  it('writes a 0600 auth file under the connect host, looked up by the logical host, and removes it', async () => {
    const asked: string[] = [];
    const dir = new SkopeoWorkdir(async (host) => {
      asked.push(host);
      return host === 'quay.io' ? { username: 'u', password: 'secret-pw' } : undefined;
    });
    const file = await dir.authFileFor({ logicalHost: 'quay.io', host: '127.0.0.1:5000', tlsVerify: false }, 'jetstack/cert-manager-controller');
    assert.ok(file);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const parsed = JSON.parse(await readFile(file, 'utf8'));
    assert.deepEqual(Object.keys(parsed.auths), ['127.0.0.1:5000']);
    assert.equal(await dir.authFileFor({ logicalHost: 'quay.io', host: '127.0.0.1:5000', tlsVerify: false }, 'jetstack/cert-manager-controller'), file, 'cached');
    assert.equal(await dir.authFileFor({ logicalHost: 'ghcr.io', host: 'ghcr.io', tlsVerify: true }, 'cert-manager/cert-manager-controller'), undefined, 'anonymous: no file');
    assert.deepEqual(asked, ['quay.io', 'ghcr.io']);
    await dir.remove();
    await assert.rejects(stat(file), { code: 'ENOENT' });
  });
});
