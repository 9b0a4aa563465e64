// A proxy in front of a TLS target that answers every upload's session start (POST) with 502, or
// resets it, or every chunk (PATCH) with 502. The transport asked each such request maxAttempts
// times inside each of the copier's maxAttempts whole uploads: a blob cost 9 POSTs at maxAttempts
// 3 and 25 at 5 (or as many PATCHes) before its line said 'tried 5 times'. A step asked
// maxAttempts times in place now ends the blob there: N requests per failing step, said as N.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { Fault } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { ghcrUploads } from '../../harness/personalities/ghcr-uploads.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { MiB, open, seedLarge } from './fixtures.js';

describe('a proxy that fails every upload session start or chunk', () => {
  let src: RunningRegistry;
  let dst: RunningRegistry;
  before(async () => {
    [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
    // A small config, a small layer and a 5 MiB layer (streamed; in chunks behind ghcr.io's limit).
    await seedLarge(open(src), 'start/app', ['v1'], 5 * MiB);
  });
  after(() => Promise.all([src, dst].filter(Boolean).map(destroyRegistry)));

  /** A sync into a target repository that holds a tag already (so presence is a HEAD, then a plain POST). */
  async function sync(name: string, attempts: number, method: 'POST' | 'PATCH', fault: Fault) {
    await seedLarge(open(dst), `${name}/app`, ['old'], 1024);
    const proxy = await proxyFor(dst, method === 'PATCH' ? { personalities: [ghcrUploads().personality] } : {});
    after(() => proxy.close());
    proxy.inject({ method, path: /\/blobs\/uploads\//, times: Infinity, fault });
    const yaml = `version: 1\ndefaults:\n  targets: [${dst.host}/${name}]\n${registriesYaml([src, [dst, { maxAttempts: attempts }]])}images:\n  - source: ${src.host}/start/app\n`;
    const run = await runCli(['sync', '-c', await writeConfig(await scratchDir('upload-start'), yaml), '--endpoint', `${dst.host}=${proxy.url}`, '--no-progress']);
    const count = (m: string) => proxy.stats.log.filter((e) => e.method === m).length;
    return { run, output: run.stdout + run.stderr, posts: count('POST'), patches: count('PATCH') };
  }

  for (const attempts of [3, 5]) {
    it(`maxAttempts ${attempts}: a session start answered 502 costs each blob ${attempts} POSTs`, async () => {
      const { run, output, posts } = await sync(`post${attempts}`, attempts, 'POST', { kind: 'status', status: 502 });
      assert.equal(run.exitCode, 1, output);
      assert.equal(posts, 3 * attempts, `${posts} POSTs for 3 blobs at maxAttempts ${attempts}`);
      assert.match(output, /POST \S+\/blobs\/uploads\/: 502 Bad Gateway/);
    });

    it(`maxAttempts ${attempts}: a chunk answered 502 costs the chunked blob ${attempts} PATCHes`, async () => {
      const { run, output, patches } = await sync(`patch${attempts}`, attempts, 'PATCH', { kind: 'status', status: 502 });
      assert.equal(run.exitCode, 1, output);
      assert.equal(patches, attempts, `${patches} PATCHes at maxAttempts ${attempts}`);
      assert.match(output, /PATCH \S+: 502 Bad Gateway/);
    });
  }

  it('maxAttempts 5: a session start reset costs each blob 5 POSTs, and the line says 5', async () => {
    const { run, output, posts } = await sync('reset5', 5, 'POST', { kind: 'reset' });
    assert.equal(run.exitCode, 1, output);
    assert.equal(posts, 15, `${posts} POSTs for 3 blobs`);
    assert.match(output, /not uploaded, tried 5 times; the last time: \S+ unreachable: POST /);
  });
});
