// Copies a manifest graph to several destinations in the order SPEC.md "What a correct copy is"
// demands: blobs, then child manifests, then the index, then the tag — so no tag ever points at
// an image with a missing part. Manifests travel byte for byte; a destination that already
// holds a manifest skips its whole sub-tree (oras-go's CopyGraph). Foreign layers are left at
// their URLs (types/foreign.ts).
import type { ManifestContent, Repository } from '../content/storage.js';
import { CopyError } from '../types/errors.js';
import { writeOptions, type CopyContext } from './context.js';
import { emptyTally } from './tally.js';
import { withManifestTurn } from './manifest-turns.js';
import { GraphWalk } from './graph-walk.js';
import type { GraphResults } from './graph-destinations.js';

export type { GraphResults } from './graph-destinations.js';

/** Options of one graph copy; the zero value probes the root like oras-go. */
export interface GraphOptions {
  /**
   * false: do not HEAD the root first. For content that is almost never present where its tag is
   * missing (a new release, a signature), the HEAD costs more than it saves; the blob checks
   * still skip whatever is there.
   */
  probeRoot?: boolean;
  /**
   * Awaited at each destination just before the root, and each child manifest, is written there;
   * a rejection fails that destination instead. Lets a signature be copied alongside its image and
   * written only once the image is in place, as the artifacts a fallback tag's index lists are
   * (their `subject` names the image). Blobs do not wait.
   */
  beforeRootWrite?: (dst: Repository) => Promise<void>;
}

/**
 * Copies `root` (already fetched from ctx.src) below every destination and, when `tag` is
 * given, points the tag at it last. Never throws for one destination's failure.
 */
export async function copyGraph(ctx: CopyContext, root: ManifestContent, dsts: Repository[], tag?: string, options: GraphOptions = {}): Promise<GraphResults> {
  const results: GraphResults = new Map(dsts.map((d) => [d, { tally: emptyTally() }]));
  const gate = options.beforeRootWrite;
  const walk = new GraphWalk(ctx, results, gate);
  const opts = writeOptions(ctx);
  const put = (dst: Repository) => (tag === undefined ? dst.pushManifest(root.descriptor, root.bytes, opts) : dst.tag(root.descriptor, root.bytes, tag, opts));
  const write = gate ? (dst: Repository) => gate(dst).then(() => put(dst)) : put;
  const placed = await walk.place(root, dsts, options.probeRoot !== false, write);
  if (tag === undefined || ctx.dryRun) return results;
  // The rest already held the root whole (found, or placed by another tag of this run): only the
  // tag is new, PUT in a turn of its own (manifest-turns.ts), never alongside a skopeo copy's.
  const digest = root.descriptor.digest;
  const tagOnly = (dst: Repository) => (gate ? gate(dst) : Promise.resolve()).then(() => withManifestTurn(ctx.ledger, dst.name, [digest], () => put(dst)));
  await Promise.all(
    dsts.filter((dst) => !placed.has(dst) && !walk.failed(dst)).map((dst) => tagOnly(dst).catch((err) => walk.fail(dst, new CopyError('destination', dst.name, err)))),
  );
  return results;
}
