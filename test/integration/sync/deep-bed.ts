// The bed of the `sync --deep` tests: a source and a target TLS registry (one registry for a
// same-registry target), the target behind a counting proxy, one image seeded at the source and
// synced, and the CLI run with the target reached through the proxy, JSON out.
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeedImageSpec, type SeededImage } from '../../harness/seed.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig, type CliResult } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

export interface DeepBed {
  src: RunningRegistry;
  dst: RunningRegistry;
  proxy: FaultProxy;
  image: SeededImage;
  config: string;
  dir: string;
  /** The CLI with `-c config`, the target through the proxy, `--format json`. */
  run(args: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

/** Seeds `spec` at the source, syncs it to `namespace` at the target (the source's registry when `sameRegistry`). */
export async function deepBed(name: string, spec: SeedImageSpec, namespace: string, opts: { referrers?: boolean; sameRegistry?: boolean } = {}): Promise<DeepBed> {
  const src = await startRegistry({ tls: true });
  const dst = opts.sameRegistry ? src : await startRegistry({ tls: true });
  const image = (await seedImage({ url: src.url }, spec))[0]!;
  const proxy = await proxyFor(dst);
  const dir = await scratchDir(name);
  const registries = registriesYaml(opts.sameRegistry ? [src] : [src, dst]);
  const config = await writeConfig(dir, `version: 1\ndefaults:\n  targets: [${dst.host}/${namespace}]\n${opts.referrers ? '' : '  referrers: false\n'}${registries}images:\n  - source: ${src.host}/${spec.repository}\n`);
  const sync = await runCli(['sync', '-c', config, '--no-progress']);
  assert.equal(sync.exitCode, 0, sync.stderr);
  return {
    src, dst, proxy, image, config, dir,
    run: (args) => runCli([...args, '-c', config, '--endpoint', `${dst.host}=${proxy.url}`, '--format', 'json', '--no-progress']),
    close: async () => {
      await proxy.close();
      await Promise.all([...new Set([src, dst])].map(destroyRegistry));
    },
  };
}
