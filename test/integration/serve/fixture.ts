// The gateway tests' world: registry A (plain HTTP, anonymous reads: the 307-to-backend case)
// holding the source jetstack/app and the mirror mirror-a/app; registry B (token auth, anonymous
// pulls get a token: the gateway streams) holding mirror-b/app. Each behind a fault proxy whose
// personality records every Authorization header the backend received. Mirrors are made by the
// real `regmirror sync`; the digest record is written from the seeded digests.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRegistry, bearerFor, destroyRegistry, type RunningRegistry } from '../../harness/registry.js';
import { getManifest, seedImage, type PushTarget, type SeededImage } from '../../harness/seed.js';
import { seedLarge } from '../personalities/fixtures.js';
import type { FaultProxy, Personality } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml, type TlsHost } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

/** Everything a gateway test needs. */
export interface World {
  regA: RunningRegistry;
  regB: RunningRegistry;
  proxyA: FaultProxy;
  proxyB: FaultProxy;
  /** Authorization headers each backend received (through its proxy). */
  authSeen: { a: string[]; b: string[] };
  dir: string;
  images: Map<string, SeededImage>;
  env: Record<string, string>;
  /** Writes a mirrors.yaml with `gateway` (YAML lines, indented by two) and returns its path. */
  config(gateway: string, opts?: { name?: string; targets?: string[] }): Promise<string>;
  close(): Promise<void>;
}

const recorder = (into: string[]): Personality => (ex) => {
  const a = ex.req.headers.authorization;
  if (a) into.push(a);
  return false;
};

/**
 * Starts the registries and proxies (HTTPS from the test CA; the gateway itself stays plain HTTP on
 * loopback), seeds two releases (OCI indexes, or Docker manifest lists: `format`), mirrors them
 * with `regmirror sync`; `singleTags`: more releases, each a single-platform image (linux/amd64),
 * no index. `personalitiesB`: B plays
 * that registry (test/harness/personalities/); `personalitiesA` alike for A.
 */
export async function startWorld(opts: { tags?: string[]; singleTags?: string[]; platforms?: number; layerBytes?: number; format?: 'docker' | 'oci'; personalitiesA?: Personality[]; personalitiesB?: Personality[] } = {}): Promise<World> {
  const [regA, regB] = await Promise.all([startRegistry({ tls: true }), startRegistry({ auth: 'token', anonymousPull: true, tls: true })]);
  const authSeen = { a: [] as string[], b: [] as string[] };
  const pushB = (scope: string) => bearerFor(regB, scope);
  const [proxyA, proxyB] = await Promise.all([
    proxyFor(regA, { personalities: [recorder(authSeen.a), ...(opts.personalitiesA ?? [])] }),
    proxyFor(regB, { personalities: [recorder(authSeen.b), ...(opts.personalitiesB ?? [])], cdnAuth: pushB }),
  ]);
  const dir = await scratchDir('gateway');
  const pushA: PushTarget = { url: regA.url };
  const seeded = await seedImage(pushA, { repository: 'jetstack/app', tags: opts.tags ?? ['v1.14.0', 'v1.15.0'], format: opts.format ?? 'oci', platforms: opts.platforms ?? 3, ...(opts.layerBytes ? { layerBytes: opts.layerBytes } : {}) });
  if (opts.singleTags) seeded.push(...await seedImage(pushA, { repository: 'jetstack/app', tags: opts.singleTags, format: opts.format ?? 'oci', single: true, ...(opts.layerBytes ? { layerBytes: opts.layerBytes } : {}) }));
  const images = new Map(seeded.map((s) => [s.tag, s]));
  const env = { GH_USER: 'admin', GH_TOKEN: regB.users.admin! };
  const lock = { version: 1, images: { [`${proxyA.host}/jetstack/app`]: Object.fromEntries(seeded.map((s) => [s.tag, { digest: s.digest, recordedAt: '2026-01-01T00:00:00Z' }])) } };
  await writeFile(join(dir, 'mirrors.lock'), `${JSON.stringify(lock, null, 2)}\n`);
  const world: World = {
    regA, regB, proxyA, proxyB, authSeen, dir, images, env,
    config: (gateway, o = {}) => writeConfig(dir, `version: 1
lock: ./mirrors.lock
defaults:
  targets: [${(o.targets ?? [`${proxyA.host}/mirror-a`, `${proxyB.host}/mirror-b`]).join(', ')}]
registries:
  ${proxyA.host}:
    caFile: ${regA.caFile}
  ${proxyB.host}:
    caFile: ${regB.caFile}
    credentials: { usernameEnv: GH_USER, passwordEnv: GH_TOKEN }
images:
  - source: ${proxyA.host}/jetstack/app
gateway:
${gateway}
`, o.name ?? 'mirrors.yaml'),
    async close() {
      await Promise.all([proxyA.close(), proxyB.close()]);
      await Promise.all([destroyRegistry(regA), destroyRegistry(regB)]);
    },
  };
  const config = await world.config('  healthInterval: 1');
  const sync = await runCli(['sync', '-c', config, '-q', '--no-progress'], { env });
  if (sync.exitCode !== 0) throw new Error(`sync failed (${sync.exitCode}): ${sync.stderr}`);
  authSeen.a.length = 0;
  authSeen.b.length = 0;
  return world;
}

/**
 * A mirrors.yaml in `dir` for a gateway over mirror A behind `front` (a real nginx in front of a
 * registry) and mirror B, `image`'s tag recorded in its lock, both mirrored by `regmirror sync`
 * from `src`; `gateway` is the gateway section's lines. Returns its path.
 */
export async function frontedMirrors(dir: string, src: TlsHost, front: TlsHost, b: TlsHost, image: SeededImage, gateway: string): Promise<string> {
  await writeFile(join(dir, 'mirrors.lock'), JSON.stringify({ version: 1, images: { [`${src.host}/jetstack/app`]: { [image.tag]: { digest: image.digest, recordedAt: '2026-01-01T00:00:00Z' } } } }));
  const config = await writeConfig(dir, `version: 1
lock: ./mirrors.lock
defaults:
  targets: [${front.host}/mirror-a, ${b.host}/mirror-b]
${registriesYaml([front])}images:
  - source: ${src.host}/jetstack/app
gateway:
${gateway}
`);
  const sync = await runCli(['sync', '-q', '--no-progress', '-c', config]);
  if (sync.exitCode !== 0) throw new Error(`sync failed (${sync.exitCode}): ${sync.stderr}${sync.stdout}`);
  return config;
}

/**
 * A release v1.16.0 with one layer of `size` bytes, seeded at A, recorded in mirrors.lock (as the
 * gateway serves only what was recorded) and mirrored by sync: what the tests that break a large
 * download mid-stream stream. Its manifest's digest and its large layer's.
 */
export async function mirrorLargeRelease(world: World, size: number): Promise<{ release: string; layer: string }> {
  const release = (await seedLarge({ url: world.regA.url }, 'jetstack/app', ['v1.16.0'], size)).get('v1.16.0')!;
  const manifest = JSON.parse((await getManifest({ url: world.regA.url }, 'jetstack/app', 'v1.16.0'))!.bytes.toString('utf8')) as { layers: { digest: string; size: number }[] };
  const layer = manifest.layers.reduce((a, b) => (b.size > a.size ? b : a)).digest;
  const lockPath = join(world.dir, 'mirrors.lock');
  const lock = JSON.parse(await readFile(lockPath, 'utf8')) as { images: Record<string, Record<string, unknown>> };
  lock.images[`${world.proxyA.host}/jetstack/app`]!['v1.16.0'] = { digest: release, recordedAt: '2026-01-01T00:00:00Z' };
  await writeFile(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  const sync = await runCli(['sync', '-c', await world.config('  healthInterval: 1'), '-q', '--no-progress'], { env: world.env });
  assert.equal(sync.exitCode, 0, sync.stderr);
  return { release, layer };
}
