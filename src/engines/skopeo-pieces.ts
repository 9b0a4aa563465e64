// What an index copied in pieces is made of (skopeo-reruns.ts copyInPieces): the platform manifests the
// pinned source index lists, read with `skopeo inspect --raw` as the copy itself reads it (same
// address, TLS and credentials), and believed only when its bytes hash to the pinned digest.
import { execa } from 'execa';
import { AbortedError } from '../types/errors.js';
import { sha256 } from '../types/digest.js';
import { parseManifest } from '../types/mediatype.js';
import type { SkopeoCopyRequest } from './skopeo-args.js';
import { isTransientFailure } from './skopeo-errors.js';

/**
 * The digests of the platform manifests of `req`'s source index (`inspect`: skopeo's arguments,
 * from inspectArgs), asking up to `tries` times through transient failures; undefined for an image,
 * a layout on either side, or a source that cannot be read or does not match its pin.
 */
export async function indexChildren(binary: string, inspect: string[], req: SkopeoCopyRequest, tries: number): Promise<string[] | undefined> {
  if (req.source.scheme !== 'registry' || req.target.scheme !== 'registry') return undefined;
  for (let i = 0; i < tries; i++) {
    const result = await execa(binary, inspect, { reject: false, stdin: 'ignore', encoding: 'buffer', env: { REGISTRY_AUTH_FILE: undefined }, cancelSignal: req.signal });
    if (result.isCanceled || req.signal?.aborted) throw new AbortedError('interrupted');
    if (result.exitCode !== 0) {
      if (!isTransientFailure(Buffer.from(result.stderr ?? '').toString())) return undefined;
      continue;
    }
    const raw = Buffer.from(result.stdout ?? '');
    if (sha256(raw) !== req.digest) return undefined;
    try {
      const children = parseManifest(raw).manifests.map((m) => m.digest);
      return children.length > 0 ? children : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
