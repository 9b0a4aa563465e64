// The gateway's memory: manifests by digest (immutable, so kept until the byte budget pushes the
// oldest out) and tag → digest for a short time (tags move). A tag's last answer is kept past its
// freshness so it can be served stale when every backend is down.

/** One cached manifest. */
export interface CachedManifest {
  bytes: Uint8Array;
  mediaType: string;
  digest: string;
}

/** A least-recently-used map of manifests, bounded by total bytes. */
export class ManifestCache {
  private readonly items = new Map<string, CachedManifest>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The manifest for `digest`, refreshed as most recently used. */
  get(digest: string): CachedManifest | undefined {
    const hit = this.items.get(digest);
    if (hit) {
      this.items.delete(digest);
      this.items.set(digest, hit);
    }
    return hit;
  }

  /** Keeps `m`, dropping the least recently used until the budget holds. */
  put(m: CachedManifest): void {
    if (m.bytes.byteLength > this.maxBytes || this.items.has(m.digest)) return;
    this.items.set(m.digest, m);
    this.bytes += m.bytes.byteLength;
    for (const [digest, old] of this.items) {
      if (this.bytes <= this.maxBytes) break;
      this.items.delete(digest);
      this.bytes -= old.bytes.byteLength;
    }
  }

  /** Bytes held (for tests and the metrics). */
  get size(): number {
    return this.bytes;
  }
}

/** What a tag pointed at, where, and when we learned it. */
export interface TagAnswer { digest: string; backend: string; at: number }

/** tag → digest, fresh for `ttlMs`, kept (bounded) for stale service. */
export class TagCache {
  private readonly items = new Map<string, TagAnswer>();

  constructor(private readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  /** The answer when it is still fresh at `now`. */
  fresh(key: string, now: number): TagAnswer | undefined {
    const a = this.items.get(key);
    return a && now - a.at < this.ttlMs ? a : undefined;
  }

  /** The last answer, however old (for when every backend is down). */
  stale(key: string): TagAnswer | undefined {
    return this.items.get(key);
  }

  put(key: string, answer: TagAnswer): void {
    this.items.delete(key);
    this.items.set(key, answer);
    if (this.items.size > this.maxEntries) this.items.delete(this.items.keys().next().value!);
  }
}
