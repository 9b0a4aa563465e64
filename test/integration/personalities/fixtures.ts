// Fixtures for the registry-personality tests: images with layers over the chunk thresholds
// made of cheap pattern bytes, a mirrors.yaml for a source and targets behind proxies, and a
// blob read back over raw HTTP.
import { digestOf, pushBlob, pushManifest, tarWithOneFile, type PushTarget } from '../../harness/seed.js';
import type { RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { runCli } from '../../harness/cli.js';
import type { SyncReport } from '../../../src/report/model.js';

export const MiB = 1024 * 1024;

/** Bytes that differ per `seed` and cost nothing to make (a repeated string). */
export function patternBytes(seed: string, size: number): Buffer {
  return Buffer.alloc(size, `${seed}|`);
}

/**
 * One single-platform OCI image per tag, each with a small config, a small layer and one
 * uncompressed tar layer of `largeBytes` (over the 4 MiB / 5 MiB chunk thresholds). Returns tag → digest.
 */
export async function seedLarge(target: PushTarget, repository: string, tags: string[], largeBytes: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const tag of tags) {
    const large = tarWithOneFile('large.bin', patternBytes(`${repository}:${tag}:large`, largeBytes));
    const small = tarWithOneFile('small.txt', Buffer.from(`${repository}:${tag}\n`));
    const config = Buffer.from(JSON.stringify({
      architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z',
      rootfs: { type: 'layers', diff_ids: [digestOf(small), digestOf(large)] },
    }));
    for (const blob of [config, small, large]) await pushBlob(target, repository, blob);
    const layer = (b: Buffer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digestOf(b), size: b.length });
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [layer(small), layer(large)],
    }));
    out.set(tag, await pushManifest(target, repository, tag, manifest, 'application/vnd.oci.image.manifest.v1+json'));
  }
  return out;
}

/** Raw access to a registry without credentials (the personality tests use open registries). */
export function open(reg: RunningRegistry): PushTarget {
  return { url: reg.url };
}

/** mirrors.yaml: `sources` (paths on `src`) mirrored to `targetNamespace` on `target`. */
export function mirrorsYaml(src: RunningRegistry, target: RunningRegistry, targetNamespace: string, sources: string[]): string {
  return `version: 1
defaults:
  targets: [${target.host}/${targetNamespace}]
${registriesYaml([[src, { maxAttempts: 3 }], [target, { maxAttempts: 3 }]])}images:
${sources.map((s) => `  - source: ${src.host}/${s}`).join('\n')}
`;
}

/** `regmirror sync -c config ARGS --report REPORT`, which must exit 0: its report and what it printed. */
export async function syncReported(config: string, args: string[], report: string, env?: Record<string, string | undefined>): Promise<{ report: SyncReport; output: string }> {
  const run = await runCli(['sync', '-c', config, ...args, '--report', report], env ? { env } : {});
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  return { report: JSON.parse(await readFile(report, 'utf8')) as SyncReport, output: run.stderr + run.stdout };
}
