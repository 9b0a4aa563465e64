// verify --tag asks each target for the asked tags alone, by HEAD (discover's probeTags, as sync
// --tag does): at quay.io a repository of 1,500 old tags costs 15 tag-list pages, one after
// another, before the first manifest is read. Such a target's `tags` then holds only the asked
// tags it has; any other tag there (a signature's `sha256-HEX.sig`) is asked for, never taken as absent.
import type { TargetState } from '../inventory/inventory.js';
import { NotFoundError } from '../types/errors.js';

/** The target's tag list when it was read whole; undefined for a probed target (ask each tag). */
export function listedTags(t: TargetState): Set<string> | undefined {
  return t.probed ? undefined : t.tags;
}

// Each (target, tag) asked at most once: the plain check and --deep's both ask for a referrer tag.
const asked = new WeakMap<TargetState, Map<string, Promise<string | null>>>();

/** The digest `tag` points at in the target, null when it is absent there; any other failure is thrown. */
export function tagDigestAt(t: TargetState, tag: string, signal?: AbortSignal): Promise<string | null> {
  const known = t.probed?.get(tag);
  if (known) return Promise.resolve(known);
  const listed = listedTags(t);
  if (listed && !listed.has(tag)) return Promise.resolve(null);
  let byTag = asked.get(t);
  if (!byTag) asked.set(t, (byTag = new Map()));
  let digest = byTag.get(tag);
  if (!digest) {
    digest = t.repo.resolve(tag, { signal }).then((d) => d.digest, (err: unknown) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    });
    byTag.set(tag, digest);
    digest.catch(() => byTag.delete(tag)); // a failed answer is not remembered
  }
  return digest;
}

/** Whether the target has `tag`: from its listing (no request), else asked (tagDigestAt). */
export async function holdsTagAt(t: TargetState, tag: string, signal?: AbortSignal): Promise<boolean> {
  const listed = listedTags(t);
  return listed ? listed.has(tag) : (await tagDigestAt(t, tag, signal)) !== null;
}
