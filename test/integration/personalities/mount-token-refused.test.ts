// A token service that will not issue one token for two repositories (the pair a cross-repository
// mount needs), or credentials that may not read the repository mounted from: the mount is only a
// shortcut. Every tag whose layer another repository of the target held failed (tokens4 hunt: 55
// images sharing a base layer into one registry, 54 rows 'destination HOST/…: HOST: the token
// service at https://…/token answered 400 Bad Request', exit 1); the blob is now checked and sent
// as without a mount, and the registry's later blobs ask for no such token.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry } from '../../harness/registry.js';
import { tokenService } from '../../harness/personalities/token-service.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { digestDifferences } from '../reliability/helpers.js';
import { DST_CREDENTIALS, oneMirrorYaml } from '../../harness/tls-bed.js';

describe('a token for two repositories refused', () => {
  it('copies every image sharing a layer without the mount, skopeo reading the digests', { timeout: 180_000 }, async () => {
    const [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true, auth: 'token', realmPersonalities: [tokenService({ maxScopes: 1 })] })]);
    after(() => Promise.all([destroyRegistry(src), destroyRegistry(dst)]));
    const names = ['a', 'b', 'c', 'd'].map((n) => `jetstack/${n}`);
    for (const repository of names) await seedImage({ url: src.url }, { repository, tags: ['v1.0.0'], format: 'oci', single: true, sharedBaseBytes: 2048, baseSeed: 'base' });
    const dir = await scratchDir('mount-token-refused');
    const config = await writeConfig(dir, oneMirrorYaml(src, [dst, DST_CREDENTIALS], names));
    const run = await runCli(['sync', '-c', config, '--no-progress', '--concurrency', '1'], { env: { DST_USER: 'admin', DST_PASS: dst.users.admin } });
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    for (const n of names) {
      const { checked, wrong } = await digestDifferences(src, n, [[dst, `mirror/${n.split('/')[1]}`]]);
      assert.deepEqual(wrong, []);
      assert.equal(checked, 1);
    }
  });
});
