// Shared checks for the reliability scenarios: skopeo as the judge of digests, raw-HTTP walks of
// what a tag points at, and scans of output for anything shaped like a credential.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ALL_MANIFEST_TYPES, authorizationFor, listTags, type PushTarget } from '../../harness/seed.js';
import { skopeoRawManifest, type SkopeoAuth } from '../../harness/skopeo.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import type { RunningRegistry } from '../../harness/registry.js';
import { bearerFor } from '../../harness/registry.js';

export { leaks } from './leaks.js';

/** Raw-HTTP access to a registry, past any proxy, with the harness's admin credentials. */
export function adminPush(reg: RunningRegistry): PushTarget {
  if (reg.auth === 'token') return { url: reg.url, auth: (scope) => bearerFor(reg, scope) };
  if (reg.auth === 'htpasswd') return { url: reg.url, auth: { username: 'admin', password: reg.users.admin! } };
  return { url: reg.url };
}

/** skopeo credentials for a registry (none for an open one). */
export function skopeoCreds(reg: RunningRegistry): SkopeoAuth {
  return reg.auth === 'none' ? {} : { creds: `admin:${reg.users.admin}` };
}

/** The digest of the manifest bytes skopeo reads (works for artifacts and signature tags too). */
export async function skopeoRawDigest(reg: RunningRegistry, repo: string, tag: string): Promise<string> {
  const raw = await skopeoRawManifest(`docker://${reg.host}/${repo}:${tag}`, skopeoCreds(reg));
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/**
 * Every tag of `srcRepo` (referrer tags included) read by skopeo at the source and at each
 * target; returns one line per difference, so an assertion can show them all.
 */
export async function digestDifferences(src: RunningRegistry, srcRepo: string, targets: [RunningRegistry, string][]): Promise<{ checked: number; wrong: string[] }> {
  const wrong: string[] = [];
  let checked = 0;
  for (const tag of await listTags(adminPush(src), srcRepo)) {
    const want = await skopeoRawDigest(src, srcRepo, tag);
    for (const [reg, repo] of targets) {
      checked++;
      const got = await skopeoRawDigest(reg, repo, tag).catch((e: Error) => `error: ${e.message.slice(0, 200)}`);
      if (got !== want) wrong.push(`${reg.host}/${repo}:${tag}: ${got}, source ${want}`);
    }
  }
  return { checked, wrong };
}

/** Sum of every fault the proxies injected (delays excluded: they are latency, not faults). */
export function faultsInjected(proxies: FaultProxy[]): number {
  return proxies.reduce((n, p) => n + Object.entries(p.stats.injected).reduce((m, [kind, c]) => m + (kind === 'delay' ? 0 : c), 0), 0);
}

interface ManifestJson { manifests?: { digest: string }[]; config?: { digest: string }; layers?: { digest: string }[] }

/**
 * What `tag` points at but the registry lacks: walks the index to every child manifest and
 * every config and layer blob with raw HEAD/GET requests. [] = the tag names a complete image.
 */
export async function missingParts(target: PushTarget, repo: string, tag: string): Promise<string[]> {
  const missing: string[] = [];
  const visit = async (ref: string): Promise<void> => {
    const res = await call(target, repo, 'GET', `/v2/${repo}/manifests/${ref}`, { accept: ALL_MANIFEST_TYPES });
    if (res.status !== 200) {
      missing.push(`manifest ${ref} (${res.status})`);
      await res.arrayBuffer();
      return;
    }
    const m = JSON.parse(await res.text()) as ManifestJson;
    for (const child of m.manifests ?? []) await visit(child.digest);
    for (const blob of [m.config, ...(m.layers ?? [])]) {
      if (!blob) continue;
      const head = await call(target, repo, 'HEAD', `/v2/${repo}/blobs/${blob.digest}`);
      if (head.status !== 200) missing.push(`blob ${blob.digest} (${head.status})`);
    }
  };
  await visit(tag);
  return missing;
}

/** Blob digests the repository holds, as far as the tags reachable from `tags` say. */
export async function blobsOf(target: PushTarget, repo: string, tags: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const visit = async (ref: string): Promise<void> => {
    const res = await call(target, repo, 'GET', `/v2/${repo}/manifests/${ref}`, { accept: ALL_MANIFEST_TYPES });
    if (res.status !== 200) return void (await res.arrayBuffer());
    const m = JSON.parse(await res.text()) as ManifestJson;
    for (const child of m.manifests ?? []) await visit(child.digest);
    for (const blob of [m.config, ...(m.layers ?? [])]) if (blob) out.add(blob.digest);
  };
  for (const tag of tags) await visit(tag);
  return out;
}

async function call(target: PushTarget, repo: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const authorization = await authorizationFor(target.auth, `repository:${repo}:pull`);
  return fetch(new URL(path, target.url), { method, headers: { ...headers, ...(authorization ? { authorization } : {}) } });
}

/**
 * Blob digests linked into `repo` on the registry's disk (distribution's `_layers` links): what a
 * HEAD in that repository finds, whether or not a tag reaches it.
 */
export async function linkedBlobs(reg: RunningRegistry, repo: string): Promise<Set<string>> {
  const dir = join(reg.dataDir, 'docker/registry/v2/repositories', repo, '_layers/sha256');
  const names = await readdir(dir).catch(() => [] as string[]);
  return new Set(names.map((hex) => `sha256:${hex}`));
}
