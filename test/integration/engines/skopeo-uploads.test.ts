// engine: skopeo where a registry refuses the way skopeo uploads: skopeo sends every blob as POST,
// one PATCH with all its bytes, then PUT. GAR refuses any PATCH and ghcr.io any body over 4 MiB,
// so skopeo fails there whatever it re-tries. The row must name the registry that refused the
// upload and advise `engine: native` (monolithic or small chunks), which copies the same image.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { Personality } from '../../harness/fault-proxy.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { gar } from '../../harness/personalities/gar.js';
import { ghcrUploads } from '../../harness/personalities/ghcr-uploads.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import type { SyncReport } from '../../../src/report/model.js';
import { digestDifferences } from '../reliability/helpers.js';
import { MiB, mirrorsYaml, open, seedLarge } from '../personalities/fixtures.js';

const REFUSALS: { name: string; personality: () => Personality; said: RegExp }[] = [
  { name: 'gar', personality: () => gar().personality, said: /unsupported: chunked uploads are not supported: upload the blob in one PUT/ },
  { name: 'ghcr', personality: () => ghcrUploads().personality, said: /size invalid: request body of \d+ bytes is over the 4 MiB limit/ },
];

describe('engine: skopeo against registries that refuse its uploads', () => {
  let src: RunningRegistry;
  let target: RunningRegistry;
  before(async () => {
    [src, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
    await seedLarge(open(src), 'jetstack/big', ['v1.0.0'], 12 * MiB);
  });
  after(() => Promise.all([src, target].map((r) => destroyRegistry(r))));

  for (const { name, personality, said } of REFUSALS) {
    it(`${name}: the row names the registry that refused skopeo's upload and advises engine: native, which copies the image`, async () => {
      const proxy = await proxyFor(target, { personalities: [personality()] });
      after(() => proxy.close());
      const dir = await scratchDir(`skopeo-uploads-${name}`);
      const sync = async (engine: 'native' | 'skopeo') => {
        const yaml = mirrorsYaml(src, target, `${name}-${engine}`, ['jetstack/big']).replace('defaults:\n', `defaults:\n  engine: ${engine}\n`);
        const report = join(dir, `${engine}.json`);
        const result = await runCli(['sync', '-c', await writeConfig(join(dir, engine), yaml), '--endpoint', `${target.host}=${proxy.url}`, '--no-progress', '--report', report]);
        const rows = (JSON.parse(await readFile(report, 'utf8')) as SyncReport).results.flatMap((r) => r.targets);
        return { ...result, rows };
      };

      const skopeo = await sync('skopeo');
      assert.equal(skopeo.exitCode, 1, skopeo.stderr + skopeo.stdout);
      assert.deepEqual(skopeo.rows.map((r) => r.action), ['failed']);
      const detail = skopeo.rows[0]!.detail;
      // The registry as configured (skopeo connects to the endpoint and names that).
      assert.ok(detail.startsWith(`destination ${target.host}/${name}-skopeo/big: ${target.host} refused the blob upload: `), detail);
      assert.match(detail, said);
      assert.match(detail, /skopeo sends each blob in one PATCH/);
      assert.match(detail, /use `engine: native` for this image/);

      const native = await sync('native');
      assert.equal(native.exitCode, 0, native.stderr + native.stdout);
      assert.deepEqual((await digestDifferences(src, 'jetstack/big', [[target, `${name}-native/big`]])).wrong, []);
    });
  }
});
