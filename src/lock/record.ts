// The digest record as a value (SPEC "lock"): what was recorded for a (source, tag), recording a
// new one, and the one serialization (sorted keys, 2-space JSON, trailing newline) that makes the
// file byte-identical when nothing changed. Pure: file I/O lives in file.ts.

/** One (source repository, tag): the source digest first mirrored, and when. */
export interface LockEntry {
  digest: string;
  recordedAt: string;
}

/** The whole record. */
export interface LockFile {
  version: 1;
  images: Record<string, Record<string, LockEntry>>;
}

/** A record with nothing in it (what a missing file means). */
export function emptyLock(): LockFile {
  return { version: 1, images: {} };
}

/** What the record says for (source as written in mirrors.yaml, tag), if anything. */
export function recorded(lock: LockFile, source: string, tag: string): LockEntry | undefined {
  return Object.hasOwn(lock.images, source) && Object.hasOwn(lock.images[source]!, tag) ? lock.images[source]![tag] : undefined;
}

/** One (source, tag) to record. */
export interface LockUpdate extends LockEntry {
  source: string;
  tag: string;
}

/**
 * The record with every update applied in order; a digest already recorded keeps its first
 * `recordedAt`, a new one replaces it. Each repository's tags are copied once: recorded one at a
 * time, a backfill of 20,000 tags copied a growing object per tag (minutes of CPU, quadratic).
 * The record passed in is left as it was.
 */
export function withEntries(lock: LockFile, updates: Iterable<LockUpdate>): LockFile {
  let images: LockFile['images'] | undefined;
  const copied = new Set<string>();
  for (const { source, tag, digest, recordedAt } of updates) {
    if (recorded(images ? { version: 1, images } : lock, source, tag)?.digest === digest) continue;
    images ??= { ...lock.images };
    if (!copied.has(source)) {
      own(images, source, { ...(Object.hasOwn(images, source) ? images[source] : {}) });
      copied.add(source);
    }
    own(images[source]!, tag, { digest, recordedAt });
  }
  return images ? { version: 1, images } : lock;
}

// An own data property whatever the key: `__proto__` is a valid tag, and `o[key] = v` would set the prototype.
function own<T>(o: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * What this run recorded (`after`, from the `before` it read) laid over the record as it is now
 * (`current`): shards running at the same time on one file keep each other's entries.
 */
export function mergeLock(current: LockFile, before: LockFile, after: LockFile): LockFile {
  const updates: LockUpdate[] = [];
  for (const [source, tags] of Object.entries(after.images)) {
    for (const [tag, entry] of Object.entries(tags)) {
      const was = recorded(before, source, tag);
      if (was?.digest === entry.digest && was.recordedAt === entry.recordedAt) continue;
      updates.push({ source, tag, digest: entry.digest, recordedAt: entry.recordedAt });
    }
  }
  return withEntries(current, updates);
}

/** The file's exact text: `version` then `images`, repositories and tags sorted, so equal records are equal bytes. */
export function serializeLock(lock: LockFile): string {
  const images: LockFile['images'] = {};
  for (const source of sortedKeys(lock.images)) {
    const tags = lock.images[source]!;
    images[source] = Object.fromEntries(sortedKeys(tags).map((tag) => [tag, { digest: tags[tag]!.digest, recordedAt: tags[tag]!.recordedAt }]));
  }
  return `${JSON.stringify({ version: 1, images }, null, 2)}\n`;
}

// Code-unit order, the same on every machine and locale.
function sortedKeys(o: object): string[] {
  return Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Checks parsed JSON is a record; returns what is wrong, or undefined. */
export function lockProblem(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'not a JSON object';
  const top = json as Record<string, unknown>;
  if (top.version !== 1) return 'version is not 1';
  if (typeof top.images !== 'object' || top.images === null || Array.isArray(top.images)) return 'images is not an object';
  for (const [source, tags] of Object.entries(top.images as Record<string, unknown>)) {
    if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return `images["${source}"] is not an object`;
    for (const [tag, e] of Object.entries(tags as Record<string, unknown>)) {
      const entry = e as Partial<LockEntry> | null;
      if (typeof entry?.digest !== 'string' || !/^[a-z0-9]+:[a-f0-9]+$/.test(entry.digest) || typeof entry.recordedAt !== 'string') {
        return `images["${source}"]["${tag}"] needs a digest (sha256:…) and a recordedAt`;
      }
    }
  }
  return undefined;
}
