// A token service with a rate limit of its own (auth.docker.io answers token requests 429 apart
// from the registry's pull limit): the run slows down and finishes, and the warning says who
// answered 429. It named the registry (tokens4 hunt: '127.0.0.1:21105 answers 429 too many
// requests: slowing requests to 127.0.0.1:21105 down to …'), whose own requests had all passed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry } from '../../harness/registry.js';
import { tokenService } from '../../harness/personalities/token-service.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { digestDifferences } from '../reliability/helpers.js';
import { DST_CREDENTIALS, oneMirrorYaml } from '../../harness/tls-bed.js';

test('a token service answering 429: the warning names it, every image copied', { timeout: 180_000 }, async () => {
  const quirks = { every429: 2 };
  const [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true, auth: 'token', realmPersonalities: [tokenService(quirks)] })]);
  after(() => Promise.all([destroyRegistry(src), destroyRegistry(dst)]));
  const realm = new URL(dst.tokenServer!.realm).origin;
  const names = ['a', 'b', 'c', 'd'].map((n) => `jetstack/${n}`);
  for (const repository of names) await seedImage({ url: src.url }, { repository, tags: ['v1.0.0'], format: 'oci', single: true });
  const dir = await scratchDir('realm-429');
  const file = await writeConfig(dir, oneMirrorYaml(src, [dst, DST_CREDENTIALS], names));
  const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { DST_USER: 'admin', DST_PASS: dst.users.admin } });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(run.stderr.includes(`warning: ${dst.host}: its token service ${realm} answers 429 too many requests: slowing requests to ${dst.host} (its token requests included) down to `), run.stderr);
  quirks.every429 = 0; // skopeo, the judge, is not rate-limited
  for (const n of names) {
    const { wrong } = await digestDifferences(src, n, [[dst, `mirror/${n.split('/')[1]}`]]);
    assert.deepEqual(wrong, []);
  }
});
