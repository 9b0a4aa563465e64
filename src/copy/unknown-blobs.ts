// A manifest PUT refused 400 MANIFEST_BLOB_UNKNOWN although every blob was checked present just
// before: Harbor and Quay keep blobs once per registry, and a blob HEAD answers 200 for a blob
// stored under another project that is not linked into this repository. Uploading the blobs the
// registry names (into this repository) and pushing the manifest once more heals it.
import type { ManifestContent, Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { RegistryResponseError } from '../types/errors.js';
import { isIndexType, parseManifest } from '../types/mediatype.js';
import { splitForeign } from '../types/foreign.js';
import type { CopyContext } from './context.js';
import type { Tally } from './tally.js';
import { uploadAll } from './upload.js';

/**
 * `write(dst)`; refused for blobs of `node` the registry does not know, those are uploaded into
 * `dst` (counted in `tally`) and the write is tried once more. Any other refusal stands.
 */
export async function writeHealing(ctx: CopyContext, node: ManifestContent, dst: Repository, tally: Tally, write: (dst: Repository) => Promise<void>): Promise<void> {
  try {
    await write(dst);
    return;
  } catch (err) {
    const parsed = isIndexType(node.descriptor.mediaType) ? undefined : parseManifest(node.bytes, node.descriptor.mediaType);
    // Foreign layers are never copied (graph.ts); a refusal of theirs is foreign-refusal.ts's to say.
    const lacking = parsed && !isIndexType(parsed.mediaType) ? blobsNamedUnknown(err, splitForeign(parsed.blobs).distributable) : [];
    if (lacking.length === 0) throw err;
    for (const [blob, result] of await Promise.all(lacking.map(async (b) => [b, (await uploadAll(ctx, b, [dst])).get(dst)] as const))) {
      if (result instanceof Error || result === undefined) throw result ?? err;
      tally.copied += 1;
      tally.bytes += blob.size;
    }
    ctx.onNote?.(healed(dst, node.descriptor.digest, lacking.length));
  }
  await write(dst);
}

/** The -v line for a heal: where, how many blobs, and why a registry does this. */
function healed(dst: Repository, digest: string, blobs: number): string {
  return `${dst.name}: manifest ${digest} refused MANIFEST_BLOB_UNKNOWN although its blobs were found present (the registry holds them under another repository, as Harbor and Quay do); ${blobs} blob${blobs === 1 ? '' : 's'} uploaded into ${dst.name} and the manifest pushed again`;
}

const DIGEST = /^sha(256|512):[0-9a-f]{64,128}$/;

/**
 * The blobs of a manifest (`blobs`) the registry said it does not know in `err` (anywhere in its
 * cause chain): those named in MANIFEST_BLOB_UNKNOWN details (a digest, or `{ digest }`), or all of
 * them when it named none; [] when the error is something else.
 */
export function blobsNamedUnknown(err: unknown, blobs: Descriptor[]): Descriptor[] {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (!(e instanceof RegistryResponseError)) continue;
    const entries = e.errors.filter((x) => x.code === 'MANIFEST_BLOB_UNKNOWN');
    if (entries.length === 0) return [];
    const named = new Set(entries.map((x) => digestIn(x.detail)).filter((d): d is string => d !== undefined));
    return named.size === 0 ? blobs : blobs.filter((b) => named.has(b.digest));
  }
  return [];
}

function digestIn(detail: unknown): string | undefined {
  const value = typeof detail === 'object' && detail !== null ? (detail as { digest?: unknown }).digest : detail;
  return typeof value === 'string' && DIGEST.test(value) ? value : undefined;
}
