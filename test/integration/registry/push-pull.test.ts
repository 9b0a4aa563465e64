// Push and pull through the native client against real distribution registries in each auth mode,
// checked with skopeo as a second opinion.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryClient } from '../../../src/registry/client.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { drain, randomBlob, skopeoDigest, smallImage, streamOf } from './fixtures.js';
import type { RegistrySettings } from '../../../src/config/model.js';
import { AuthError, NotFoundError } from '../../../src/types/errors.js';

function clientFor(reg: RunningRegistry, user?: string, password?: string): RegistryClient {
  const credentials = async () => (user ? { username: user, password: password ?? reg.users[user]! } : undefined);
  // TLS registries (issue 9) are trusted through the test CA.
  const settings: RegistrySettings = { host: reg.host, tls: 'verify', caFile: reg.caFile, maxAttempts: 2 };
  return new RegistryClient({ registries: new Map([[reg.host, settings]]), credentials, testing: { backoffBaseMs: 1 } });
}

for (const auth of ['none', 'htpasswd', 'token'] as const) {
  describe(`push and pull (${auth})`, () => {
    it('round-trips blobs, a manifest and a tag', async () => {
      const reg = await startRegistry({ auth, tls: true });
      after(() => destroyRegistry(reg));
      const client = clientFor(reg, auth === 'none' ? undefined : 'admin');
      after(() => client.close());
      const repo = client.repository(reg.host, 'team/app', 'push');
      const image = smallImage();
      assert.equal(await repo.exists(image.layer.desc), false);
      for (const blob of [image.config, image.layer]) await repo.pushBlob(blob.desc, streamOf(blob.bytes));
      assert.equal(await repo.exists(image.layer.desc), true);
      await repo.pushManifest(image.manifest.desc, image.manifest.bytes);
      await repo.tag(image.manifest.desc, image.manifest.bytes, 'v1.0.0');

      const resolved = await repo.resolve('v1.0.0');
      assert.deepEqual(resolved, image.manifest.desc);
      const fetched = await repo.fetchManifest('v1.0.0');
      assert.deepEqual(Buffer.from(fetched.bytes), image.manifest.bytes);
      assert.equal(fetched.descriptor.mediaType, image.manifest.desc.mediaType);
      assert.deepEqual(await drain(await repo.fetchBlob(image.layer.desc)), image.layer.bytes);
      assert.deepEqual(await repo.listTags(), ['v1.0.0']);
      assert.equal(await repo.exists(image.manifest.desc), true);
      await assert.rejects(repo.resolve('v9.9.9'), NotFoundError);

      const creds = auth === 'none' ? undefined : `admin:${reg.users.admin}`;
      assert.equal(await skopeoDigest(reg.host, 'team/app:v1.0.0', creds), image.manifest.desc.digest);
      assert.equal(client.stats.byMethod.PUT! >= 4, true);
    });

    if (auth !== 'none') {
      it('refuses a wrong password with AuthError', async () => {
        const reg = await startRegistry({ auth, tls: true });
        after(() => destroyRegistry(reg));
        const client = clientFor(reg, 'admin', 'wrong-password');
        after(() => client.close());
        const repo = client.repository(reg.host, 'team/app', 'push');
        await assert.rejects(repo.listTags(), AuthError);
        await assert.rejects(repo.pushBlob(randomBlob().desc, streamOf(randomBlob().bytes)), AuthError);
      });
    }
  });
}
