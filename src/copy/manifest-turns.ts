// Writers of whole manifest graphs that the graph walk does not see (a `skopeo copy` of a tag, a
// tag PUT of a root another copy placed) take turns with the walk through the run's ledger. Two
// PUTs of one manifest in one repository at once are what distribution answered with 400
// DIGEST_INVALID or MANIFEST_BLOB_UNKNOWN in a skopeo run over regclient's testrepo, where a skopeo
// copy and the native copier (for the tags routed to it) wrote the same child manifests.
import type { ManifestContent } from '../content/storage.js';
import { isIndexType, parseManifest } from '../types/mediatype.js';
import { callOptions, type CopyContext } from './context.js';
import type { CopyLedger } from './ledger.js';

/**
 * Runs `write` once no copy of the run is placing any of `digests` in `repository`, holding them
 * meanwhile: the graph walk waits for it and then finds them placed (it writes none of them
 * again). Waiting holds nothing, so turns never wait on each other in a ring.
 */
export async function withManifestTurn<T>(ledger: CopyLedger, repository: string, digests: string[], write: () => Promise<T>): Promise<T> {
  for (let busy = inFlight(ledger, repository, digests); busy.length > 0; busy = inFlight(ledger, repository, digests)) {
    await Promise.allSettled(busy);
  }
  // Known placed before this turn: still placed whatever this write does.
  const placed = digests.filter((d) => ledger.manifestAt(repository, d) !== undefined);
  const settles = digests.map((d) => ledger.claimManifest(repository, d));
  try {
    const result = await write();
    for (const settle of settles) settle();
    return result;
  } catch (err) {
    for (const settle of settles) settle(err instanceof Error ? err : new Error(String(err)));
    for (const d of placed) ledger.manifestPresent(repository, d);
    throw err;
  }
}

function inFlight(ledger: CopyLedger, repository: string, digests: string[]): Promise<void>[] {
  return digests.flatMap((d) => ledger.manifestInFlight(repository, d) ?? []);
}

/**
 * Every manifest digest of the graph below `root` (itself included), as a copy of all of it writes
 * them. An index's children are known from its bytes; only a child that is an index itself is
 * read from the source (nested indexes: regclient's testrepo), so a multi-arch image costs no request.
 */
export async function manifestDigests(ctx: CopyContext, root: ManifestContent): Promise<string[]> {
  const found = new Set<string>([root.descriptor.digest]);
  const visit = async (node: ManifestContent, depth: number): Promise<void> => {
    let parsed;
    try {
      parsed = parseManifest(node.bytes, node.descriptor.mediaType);
    } catch {
      return; // the copy itself fails on it, saying why
    }
    if (!isIndexType(parsed.mediaType) || depth > 8) return;
    const nested = parsed.manifests.filter((child) => !found.has(child.digest));
    for (const child of nested) found.add(child.digest);
    await Promise.all(
      nested.filter((child) => isIndexType(child.mediaType)).map(async (child) => {
        const content = await ctx.src.fetchManifest(child.digest, callOptions(ctx)).catch(() => undefined);
        if (content) await visit(content, depth + 1);
      }),
    );
  };
  await visit(root, 0);
  return [...found];
}

