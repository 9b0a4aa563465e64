// How one tagged manifest reaches several destinations: the native graph copy, or the skopeo
// engine (SPEC "Engines"). Planning, conflicts and checks stay regmirror's own either way.
import type { ManifestContent, Repository } from '../content/storage.js';
import { callOptions, type CopyContext } from '../copy/context.js';
import { copyGraph, type GraphResults } from '../copy/graph.js';
import { emptyTally } from '../copy/tally.js';
import { manifestDigests, withManifestTurn } from '../copy/manifest-turns.js';
import type { SkopeoEngine } from '../engines/skopeo.js';
import { checkSkopeoSource, skopeoMisreadsLayoutTag } from '../engines/skopeo-layout.js';
import { skopeoWouldRelabel } from '../engines/skopeo-relabel.js';
import { explainForeignRefusal } from '../engines/skopeo-foreign.js';
import { beyondSkopeo } from '../engines/skopeo-limits.js';
import { formatRepository, referrerTagSubject, type RepositoryRef } from '../types/reference.js';
import { isReleaseTag } from '../types/tag.js';
import { isIndexType } from '../types/mediatype.js';

/**
 * Copies `root` to each destination and, when given, points `tag` at it last; `gate`, when given,
 * must resolve for a destination before the root is written there (see GraphOptions.beforeRootWrite).
 */
export type TagCopier = (root: ManifestContent, dsts: Repository[], tag?: string, gate?: (dst: Repository) => Promise<void>) => Promise<GraphResults>;

/** The native copier: regmirror's own graph copy. */
export function nativeCopier(ctx: CopyContext): TagCopier {
  // Only a floating tag (latest, v1.14) or untagged content is worth a HEAD of the root before the
  // walk: a release or a signature missing from a target's listing is new there but for rare
  // drift (which the walk repairs), and a digest another tag of this run placed or found is
  // known to the ledger without any request.
  return (root, dsts, tag, gate) =>
    copyGraph(ctx, root, dsts, tag, { probeRoot: tag === undefined || !(isReleaseTag(tag) || referrerTagSubject(tag) !== undefined), beforeRootWrite: gate });
}

/**
 * The skopeo copier: `skopeo copy --all --preserve-digests source@digest target:tag` per target.
 * Untagged content (OCI 1.1 referrers found through the API) has no tag for skopeo to write, so
 * it goes through the native copier, as does what skopeo cannot copy byte for byte (skopeoCannotKeep,
 * beyondSkopeo, skopeoWouldRelabel) or would misread (skopeoMisreadsLayoutTag); a plan routes each
 * tag as sync does.
 */
export function skopeoCopier(ctx: CopyContext, engine: SkopeoEngine | undefined, source: RepositoryRef, refs: Map<Repository, RepositoryRef>): TagCopier {
  const native = nativeCopier(ctx);
  return async (root, dsts, tag, gate) => {
    if (tag === undefined) return native(root, dsts, tag, gate);
    // Said under -v: the row reads 'copied (N blobs uploaded …)', not 'copied by skopeo', and why was nowhere.
    const routed = (why: string) => {
      ctx.onNote?.(`engine skopeo: ${formatRepository(source)}:${tag} is copied by regmirror's own copier: ${why}`);
      return native(root, dsts, tag, gate);
    };
    if (skopeoCannotKeep(source, tag, root)) return routed('a referrer tag holding an index, or a layout\'s view of untagged referrers, which skopeo cannot keep byte for byte');
    if (beyondSkopeo(root)) return routed('it holds a nested index or sha512 content, which skopeo cannot copy');
    if (await skopeoWouldRelabel(source, ctx.src, root, callOptions(ctx))) return routed('its index names an image as another media type than skopeo reads it as from the source, so skopeo would rewrite the index (--preserve-digests forbids it)');
    if (await skopeoMisreadsLayoutTag(source, tag, root.descriptor.mediaType)) return routed('its layout\'s index.json entry gives it a media type skopeo would misread it by');
    // A plan runs no skopeo, but fails what skopeo's copy would fail before it starts, in its words.
    if (ctx.dryRun || !engine) return planned(native, root, dsts, tag, source, gate);
    const results: GraphResults = new Map();
    const digests = await manifestDigests(ctx, root);
    await Promise.all(
      dsts.map(async (dst) => {
        const tally = emptyTally();
        try {
          const target = refs.get(dst);
          if (!target) throw new Error(`no reference known for ${dst.name}`);
          await gate?.(dst);
          // skopeo writes every manifest of the graph: never while another copy of the run writes one of them.
          await withManifestTurn(ctx.ledger, dst.name, digests, () => engine.copy({ source, target, tag, digest: root.descriptor.digest, signal: ctx.signal }));
          tally.manifests += 1;
          tally.engine = 'skopeo';
          results.set(dst, { tally });
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          const ref = refs.get(dst);
          const host = ref?.scheme === 'registry' ? ref.registry : undefined;
          results.set(dst, { tally, error: await explainForeignRefusal(error, host, ctx.src, root, callOptions(ctx)) });
        }
      }),
    );
    return results;
  };
}

// The native copier's plan of `tag`, or the error checkSkopeoSource gives sync at every destination.
async function planned(native: TagCopier, root: ManifestContent, dsts: Repository[], tag: string, source: RepositoryRef, gate?: (dst: Repository) => Promise<void>): Promise<GraphResults> {
  try {
    await checkSkopeoSource(source, tag, root.descriptor.digest);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return new Map(dsts.map((dst) => [dst, { tally: emptyTally(), error }]));
  }
  return native(root, dsts, tag, gate);
}

/**
 * Referrer tags `skopeo copy --preserve-digests` cannot keep byte for byte, which the native
 * copier writes instead: a layout source's may be regmirror's own view of untagged referrers
 * (content/layout/fallback.ts), which skopeo cannot read; and one holding an index (the
 * `sha256-HEX` fallback index of the referrers, an artifact index) lists artifacts, not images,
 * which skopeo 1.9 refuses ("Manifest list must be converted … Instructed to preserve digests").
 */
function skopeoCannotKeep(source: RepositoryRef, tag: string, root: ManifestContent): boolean {
  if (referrerTagSubject(tag) === undefined) return false;
  return source.scheme === 'oci' || isIndexType(root.descriptor.mediaType);
}
