// A proxy in front of a TLS target that cuts every blob upload's body (headers and half the bytes,
// then a reset). The copier's whole attempts and the registry client's own restarts of an upload
// nested: a small blob cost 6 PUTs at maxAttempts 3 and 11 at 5 (a large one 3 and 5) before its
// line said 'tried 3 times' or 'tried 5 times'. Each blob, small or large, now costs the
// registry's maxAttempts uploads, one session and one PUT each, and the line says that many; -v's
// stats counted none of the requests those whole uploads sent again as retries ('0 retries'), and
// then every request of them (the POST, a large blob's source read); one retry per upload now.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { uploadCut } from '../../harness/personalities/upload-cut.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { MiB, open, seedLarge } from './fixtures.js';

describe('a proxy that cuts every blob upload (request body reset halfway)', () => {
  let src: RunningRegistry;
  let dst: RunningRegistry;
  before(async () => {
    [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
    // A small config, a small layer and a 5 MiB layer (over SMALL_BLOB_BYTES: streamed).
    await seedLarge(open(src), 'cut/app', ['v1'], 5 * MiB);
  });
  after(() => Promise.all([src, dst].filter(Boolean).map(destroyRegistry)));

  for (const attempts of [3, 5]) {
    it(`maxAttempts ${attempts}: each blob uploaded ${attempts} times, small and large, and the line says so`, async () => {
      const proxy = await proxyFor(dst, { personalities: [uploadCut()] });
      after(() => proxy.close());
      const yaml = `version: 1\ndefaults:\n  targets: [${dst.host}/m${attempts}]\n${registriesYaml([src, [dst, { maxAttempts: attempts }]])}images:\n  - source: ${src.host}/cut/app\n`;
      const config = await writeConfig(await scratchDir('upload-cut'), yaml);
      const run = await runCli(['sync', '-c', config, '--endpoint', `${dst.host}=${proxy.url}`, '--no-progress', '-v']);
      const puts = new Map<string, number>();
      for (const e of proxy.stats.log) {
        const digest = /[?&]digest=(sha256(?::|%3A)[a-f0-9]{64})/.exec(e.path)?.[1]?.replace('%3A', ':');
        if (e.method === 'PUT' && digest) puts.set(digest, (puts.get(digest) ?? 0) + 1);
      }
      const posts = proxy.stats.log.filter((e) => e.method === 'POST').length;
      assert.equal(run.exitCode, 1, run.stderr + run.stdout);
      assert.equal(puts.size, 3, `PUTs: ${JSON.stringify([...puts])}`);
      for (const [digest, n] of puts) assert.equal(n, attempts, `${digest}: ${n} PUTs with maxAttempts ${attempts}`);
      assert.equal(posts, 3 * attempts, `${posts} POSTs: one session per upload`);
      assert.match(run.stdout + run.stderr, new RegExp(`not uploaded, tried ${attempts} times`));
      // -v's stats count each whole upload after the first as one retry: its PUT is sent again
      // because the one before failed; its new session (POST) and the large blob's source read again
      // for it are no retries (each counted one before: 14 retries for 6 PUTs sent again at 3).
      const retries = Number(/(\d+) retr(?:y|ies),/.exec(run.stderr)?.[1]);
      assert.equal(retries, 3 * (attempts - 1), `${retries} retries: ${/\d+ requests.*/.exec(run.stderr)?.[0]}`);
    });
  }
});
