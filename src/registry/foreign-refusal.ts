// A manifest PUT refused because of its foreign layers (types/foreign.ts). regmirror never copies
// them, so a registry that does not allow their URLs refuses the manifest: distribution 2.8 by
// default (validation on, no `validation.manifests.urls.allow`: 500 UNKNOWN "invalid URL on layer"
// plus MANIFEST_BLOB_UNKNOWN naming the layer, seen from docker-registry 2.8.2). Retrying or re-pushing
// blobs cannot help: the message names the layer and the registry's setting that can.
import type { Descriptor } from '../types/descriptor.js';
import { RegistryResponseError, UnsupportedError } from '../types/errors.js';
import { hasUrls } from '../types/foreign.js';
import { parseManifest } from '../types/mediatype.js';

const URLS_KEY = Buffer.from('"urls"');
const REFUSALS = new Set(['MANIFEST_BLOB_UNKNOWN', 'MANIFEST_INVALID', 'BLOB_UNKNOWN']);

/**
 * The error to report when `e`, `host`'s answer to a PUT of `bytes` as `reference`, refuses a
 * foreign layer of that manifest by digest; undefined for any other refusal.
 */
export function foreignRefusal(host: string, reference: string, bytes: Uint8Array, declared: string, e: unknown): UnsupportedError | undefined {
  if (!(e instanceof RegistryResponseError)) return undefined;
  const said = e.errors.filter((x) => REFUSALS.has(x.code)).map((x) => `${x.message ?? ''} ${typeof x.detail === 'string' ? x.detail : JSON.stringify(x.detail ?? '')}`);
  if (said.length === 0) return undefined;
  const refused = layersWithUrls(bytes, declared).filter((l) => said.some((s) => s.includes(l.digest)));
  const first = refused[0];
  if (!first) return undefined;
  const more = refused.length > 1 ? ` and ${refused.length - 1} more` : '';
  const codes = [...new Set(e.errors.map((x) => x.code))].join(', ');
  return new UnsupportedError(
    `${host} refused manifest ${reference} for its foreign layer ${first.digest}${more} (${first.mediaType} with URLs, at ${first.urls?.[0] ?? '?'}): ` +
      `foreign layers stay at their URLs (regmirror, skopeo and crane do not copy them) and this registry does not allow those URLs in a manifest; ` +
      `allow them in its configuration (distribution: validation.manifests.urls.allow) or leave this image out of this target (it answered ${e.status} ${codes})`,
  );
}

/** Whether a manifest names layers with URLs, so that a refusal of it may be one of theirs. */
export function hasLayerUrls(bytes: Uint8Array, declared: string): boolean {
  // Asked of every manifest PUT: most manifests never name the key, and a byte search is cheaper
  // than a parse. (A key spelled with \u escapes is missed; that only costs the refusal's retries.)
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(URLS_KEY) < 0) return false;
  return layersWithUrls(bytes, declared).length > 0;
}

// Foreign layers, and any other layer with URLs (a registry checks those against its list too).
function layersWithUrls(bytes: Uint8Array, declared: string): Descriptor[] {
  try {
    return parseManifest(bytes, declared).blobs.filter(hasUrls);
  } catch {
    return [];
  }
}
