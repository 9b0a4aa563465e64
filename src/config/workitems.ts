// From a Config to the work the use cases do: which images pass --filter, which target
// repositories each reaches, and which (repository, tag) items belong to this --shard.
import { createHash } from 'node:crypto';
import { basename, formatRepository, repositoryIn, type RepositoryRef } from '../types/reference.js';
import { UsageError } from '../types/errors.js';
import type { BinaryItem, Config, ImageItem } from './model.js';
import { userRegExp } from './user-regex.js';

/** One target repository of an image, with how to print it. */
export interface TargetRepo {
  ref: RepositoryRef;
  display: string;
}

/** One image item resolved to concrete repositories. */
export interface ImageWork {
  item: ImageItem;
  /** Index in `images:`, for messages and stable ordering. */
  index: number;
  source: RepositoryRef;
  sourceDisplay: string;
  targets: TargetRepo[];
  /** An empty source is normal here (a binaries reference not yet published), not a typo. */
  sourceMayBeEmpty?: boolean;
  /** A binaries entry's (publish/work.ts): `regmirror publish` pushes what its targets lack, not sync. */
  binaries?: true;
}

/** A --shard K/N: index is K as written (1-based), count is N (--shard auto: index = JOB_COMPLETION_INDEX + 1). */
export interface Shard {
  index: number;
  count: number;
}

/** The images selected by --filter globs (none = all), with their target repositories. */
export function imageWork(config: Config, filters: string[]): ImageWork[] {
  const patterns = filters.map(globToRegExp);
  const out: ImageWork[] = [];
  config.images.forEach((item, index) => {
    const sourceDisplay = formatRepository(item.source);
    if (patterns.length > 0 && !patterns.some((p) => imageNames(item).some((n) => p.test(n)))) return;
    const targets = item.targets.map((ns) => {
      const ref = repositoryIn(ns, item.name);
      return { ref, display: formatRepository(ref) };
    });
    out.push({ item, index, source: item.source, sourceDisplay, targets });
  });
  return out;
}

/** What a --filter glob matches an image by: its name, its source's basename, its whole source. */
export function imageNames(item: ImageItem): string[] {
  return [item.name, basename(item.source), formatRepository(item.source)];
}

/** What a --filter glob matches a binaries entry by: its name, and its source repository when it has one. */
export function binaryNames(b: BinaryItem): string[] {
  return [b.name, ...(b.source ? [formatRepository(repositoryIn(b.source, b.name))] : [])];
}

/**
 * Each --filter glob must match an image or binaries entry: one that matches nothing is a typo
 * (like git's "pathspec did not match"), and a run over nothing would end "0 drift", exit 0. The
 * config decides, not --shard, so an empty shard stays an ordinary exit 0.
 */
export function checkFilters(config: Config, filters: string[]): void {
  const names = [...config.images.map(imageNames), ...config.binaries.map(binaryNames)];
  for (const glob of filters) {
    const pattern = globToRegExp(glob);
    if (names.some((n) => n.some((name) => pattern.test(name)))) continue;
    const listed = [...new Set(names.map((n) => n[0]!))];
    const shown = listed.length > 8 ? `${listed.slice(0, 8).join(', ')} and ${listed.length - 8} more` : listed.join(', ') || 'none';
    throw new UsageError(`--filter "${glob}" matches no image or binary in ${config.file} (its names: ${shown}; a glob matches a name, a source's basename or a whole source, and * stays within one path component)`);
  }
}

/** A --filter glob as an anchored regex: `*` and `?` stay within one path component, `**` crosses "/". */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return userRegExp(`^${re}$`);
}

/** Parses --shard "K/N" (1 ≤ K ≤ N). */
export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(count) || index < 1 || count < 1 || index > count) {
    throw new UsageError(`--shard "${s}": expected K/N with 1 ≤ K ≤ N, e.g. 2/4`);
  }
  return { index, count };
}

/**
 * --shard auto: the shard of a Kubernetes Indexed Job. JOB_COMPLETION_INDEX is 0-based (Kubernetes
 * sets it); JOB_COMPLETIONS is the job's `completions`, which the pod spec passes in.
 */
export function shardFromEnv(env: Record<string, string | undefined>): Shard {
  const rawIndex = env.JOB_COMPLETION_INDEX?.trim();
  const rawCount = env.JOB_COMPLETIONS?.trim();
  const hint = 'set both (a Kubernetes Indexed Job sets JOB_COMPLETION_INDEX; pass JOB_COMPLETIONS in the pod spec), or give --shard K/N';
  if (!rawIndex || !rawCount) {
    const missing = [!rawIndex && 'JOB_COMPLETION_INDEX', !rawCount && 'JOB_COMPLETIONS'].filter(Boolean).join(' and ');
    throw new UsageError(`--shard auto: ${missing} ${missing.includes(' and ') ? 'are' : 'is'} not set; ${hint}`);
  }
  const index = /^\d+$/.test(rawIndex) ? Number(rawIndex) : NaN;
  const count = /^\d+$/.test(rawCount) ? Number(rawCount) : NaN;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index >= count) {
    throw new UsageError(`--shard auto: JOB_COMPLETION_INDEX="${rawIndex}" and JOB_COMPLETIONS="${rawCount}" do not fit (expected 0 ≤ index < completions); ${hint}`);
  }
  return { index: index + 1, count };
}

/** Whether (repository, tag) belongs to `shard`: a stable hash, so shards agree across runs and machines. */
export function inShard(repository: string, tag: string, shard: Shard): boolean {
  const hash = createHash('sha256').update(`${repository}\n${tag}`).digest();
  return hash.readBigUInt64BE(0) % BigInt(shard.count) === BigInt(shard.index - 1);
}
