// Counts of what a copy did (or, dry, would do) at one destination.

/** Per-destination blob and byte counts; `copied` means uploaded (or to upload, when planning). */
export interface Tally {
  copied: number;
  mounted: number;
  existing: number;
  bytes: number;
  manifests: number;
  /** Foreign layers left at their URLs (types/foreign.ts): neither read nor written. */
  foreign: number;
  /** Set when skopeo copied the image: it moves the blobs itself and counts none of them. */
  engine?: 'skopeo';
}

export function emptyTally(): Tally {
  return { copied: 0, mounted: 0, existing: 0, bytes: 0, manifests: 0, foreign: 0 };
}

/** Adds `b` into `a`. */
export function addTally(a: Tally, b: Tally): void {
  a.copied += b.copied;
  a.mounted += b.mounted;
  a.existing += b.existing;
  a.bytes += b.bytes;
  a.manifests += b.manifests;
  a.foreign += b.foreign;
  if (b.engine) a.engine = b.engine;
}
