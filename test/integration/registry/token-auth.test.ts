// Token auth against distribution with the harness token server: caching, refresh, identity
// tokens, and mounts (one token carrying both repositories' scopes).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { destroyRegistry, startRegistry } from '../../harness/registry.js';
import { AuthError } from '../../../src/types/errors.js';
import { randomBlob, streamOf } from './fixtures.js';
import { admin, testClient } from './helpers.js';

describe('token auth', () => {
  it('caches a token per scope set and de-duplicates concurrent fetches', async () => {
    const reg = await startRegistry({ tls: true, auth: 'token' });
    after(() => destroyRegistry(reg));
    const client = testClient(reg, admin(reg));
    after(() => client.close());
    const repo = client.repository(reg.host, 'cache/app', 'push');
    await Promise.all([repo.listTags(), repo.listTags(), repo.exists(randomBlob().desc)]);
    assert.equal(client.stats.tokenFetches, 1);
    await repo.listTags();
    assert.equal(client.stats.tokenFetches, 1);
    assert.equal(reg.tokenServer!.issued, 1);
    await client.repository(reg.host, 'cache/other', 'pull').listTags();
    assert.equal(client.stats.tokenFetches, 2);
  });

  it('fetches a new token once the old one expires', async () => {
    const reg = await startRegistry({ tls: true, auth: 'token', expiresIn: 1 });
    after(() => destroyRegistry(reg));
    const client = testClient(reg, admin(reg));
    after(() => client.close());
    const repo = client.repository(reg.host, 'expiry/app', 'pull');
    await repo.listTags();
    assert.equal(client.stats.tokenFetches, 1);
    await sleep(1100);
    await repo.listTags();
    assert.equal(client.stats.tokenFetches, 2);
  });

  it('exchanges an identity token with the refresh_token grant', async () => {
    const reg = await startRegistry({ tls: true, auth: 'token', refreshTokens: { 'identity-token-for-admin': 'admin' } });
    after(() => destroyRegistry(reg));
    const client = testClient(reg, { identityToken: 'identity-token-for-admin' });
    after(() => client.close());
    const blob = randomBlob();
    await client.repository(reg.host, 'idtoken/app', 'push').pushBlob(blob.desc, streamOf(blob.bytes));
    assert.equal(await client.repository(reg.host, 'idtoken/app', 'pull').exists(blob.desc), true);
  });

  it('gives anonymous callers pull only when the registry allows it', async () => {
    const reg = await startRegistry({ tls: true, auth: 'token', anonymousPull: true });
    after(() => destroyRegistry(reg));
    const client = testClient(reg);
    after(() => client.close());
    assert.deepEqual(await client.repository(reg.host, 'anon/app', 'pull').listTags(), []);
    const blob = randomBlob();
    await assert.rejects(client.repository(reg.host, 'anon/app', 'push').pushBlob(blob.desc, streamOf(blob.bytes)), AuthError);
  });

  it('mounts a blob between repositories with one token for both scopes (201)', async () => {
    const reg = await startRegistry({ tls: true, auth: 'token' });
    after(() => destroyRegistry(reg));
    const client = testClient(reg, admin(reg));
    after(() => client.close());
    const blob = randomBlob();
    await client.repository(reg.host, 'mount/source', 'push').pushBlob(blob.desc, streamOf(blob.bytes));
    const target = client.repository(reg.host, 'mount/target', 'push');
    assert.equal(target.mountScope, reg.host);
    assert.equal(await target.mountBlob(blob.desc, 'mount/source'), true);
    assert.equal(await target.exists(blob.desc), true);
    const asked = reg.tokenServer!.scopesAsked.map((s) => [...s].sort().join(' '));
    assert.ok(asked.includes('repository:mount/source:pull repository:mount/target:pull,push'), asked.join('\n'));
  });

  it('uses the upload session of a refused mount (202) for the next push', async () => {
    const reg = await startRegistry({ tls: true, auth: 'token' });
    after(() => destroyRegistry(reg));
    const client = testClient(reg, admin(reg));
    after(() => client.close());
    const blob = randomBlob();
    const target = client.repository(reg.host, 'mount/target', 'push');
    // The source never had the blob, so distribution opens an upload instead.
    assert.equal(await target.mountBlob(blob.desc, 'mount/nowhere'), false);
    const posts = client.stats.byMethod.POST;
    await target.pushBlob(blob.desc, streamOf(blob.bytes));
    assert.equal(client.stats.byMethod.POST, posts);
    assert.equal(await target.exists(blob.desc), true);
  });
});
