// What a manifest request counts as (SPEC.md "Gateway", as Docker Hub counts): a GET of a platform
// image manifest is a pull, attributed to the tag through the index this client fetched just
// before; a HEAD or an index GET is a version check; the same client fetching the same platform
// manifest again within one session is a retry and counts once. A signature, attestation or SBOM
// (cosign's sha256-HEX.sig|.att|.sbom tags) is looked up, not installed: a check. Pure.
import { REFERRER_TAG } from '../types/reference.js';

/** The decision for one manifest request. */
export interface Attribution {
  kind: 'pull' | 'check';
  /** The tag asked for, or the tag of the index that named this digest; "" when unknown. */
  tag: string;
  /** A pull this client already made in this session (not counted again). */
  repeat: boolean;
}

/** One manifest request, after the gateway answered it. */
export interface ManifestRequest {
  client: string;
  method: string;
  image: string;
  /** The tag when asked by tag, else undefined. */
  tag?: string;
  digest: string;
  isIndex: boolean;
  /** Child manifest digests, when it is an index. */
  children?: string[];
}

interface IndexSeen { image: string; tag: string; children: Set<string>; at: number }

/** Remembers, per client, recent index GETs and pulls; bounded in clients and age. */
export class PullAttributor {
  private readonly indexes = new Map<string, IndexSeen[]>();
  private readonly pulls = new Map<string, number>();

  constructor(private readonly sessionMs = 5 * 60_000, private readonly maxClients = 50_000) {}

  /** Classifies `r` at `now` and remembers what later requests need. */
  attribute(r: ManifestRequest, now: number): Attribution {
    const tag = r.tag ?? this.tagFor(r, now);
    // A tag resolved (HEAD or GET) names its digest; an index names its children. containerd
    // resolves by HEAD, then GETs the index and the platforms by digest.
    if (tag) this.remember(r, tag, now);
    if (r.method !== 'GET' || r.isIndex || REFERRER_TAG.test(tag)) return { kind: 'check', tag, repeat: false };
    const key = `${r.client}\n${r.image}\n${r.digest}`;
    const last = this.pulls.get(key);
    const repeat = last !== undefined && now - last < this.sessionMs;
    this.pulls.delete(key);
    this.pulls.set(key, now);
    this.trim(this.pulls);
    return { kind: 'pull', tag, repeat };
  }

  private remember(r: ManifestRequest, tag: string, now: number): void {
    const names = new Set([r.digest, ...(r.isIndex && r.method === 'GET' ? r.children ?? [] : [])]);
    const list = (this.indexes.get(r.client) ?? []).filter((i) => now - i.at < this.sessionMs);
    const same = list.find((i) => i.image === r.image && i.tag === tag);
    if (same) {
      for (const d of names) same.children.add(d);
      same.at = now;
    } else {
      list.push({ image: r.image, tag, children: names, at: now });
    }
    list.sort((a, b) => a.at - b.at);
    this.indexes.delete(r.client);
    this.indexes.set(r.client, list.slice(-16));
    this.trim(this.indexes);
  }

  // The newest index of this client and image that names the digest.
  private tagFor(r: ManifestRequest, now: number): string {
    const list = this.indexes.get(r.client) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const seen = list[i]!;
      if (seen.image === r.image && now - seen.at < this.sessionMs && seen.children.has(r.digest)) return seen.tag;
    }
    return '';
  }

  private trim(map: Map<string, unknown>): void {
    while (map.size > this.maxClients) map.delete(map.keys().next().value!);
  }
}
