// What a client's Accept lets the gateway answer, as distribution decides it (2.8 and 3.0,
// registry/handlers/manifests.go, tried with curl on docker-registry 2.8.2): an OCI index or image
// manifest goes only to a client that names its type (else 404 MANIFEST_UNKNOWN with
// distribution's words); a Docker manifest list asked for by tag, by a client that does not name
// the list type (docker before lists, some scanners: schema 2 only), is answered with the list's
// linux/amd64 image manifest (by digest the list is what was asked for, and goes as it is). Sent as
// stored, the index or list was a document such a client cannot read. Where distribution rewrites
// into schema 1 (a client naming no schema 2), which it signs with a key of its own, the gateway
// serves what it proved instead; and a request naming no manifest type at all (curl, `*/*`) is
// served as stored, where distribution refuses OCI content to it. Pure.
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST, isSchemaOneType, parseManifest } from '../types/mediatype.js';
import type { CachedManifest } from './cache.js';

/** What to do with the manifest found: send it, refuse it (404, with this message), or send this child of a list instead. */
export type Offer = { send: true } | { refuse: string } | { platform: string };

/** The manifest types a client's Accept header(s) name; undefined when it names none. */
export function namedTypes(accept: string | string[] | undefined): Set<string> | undefined {
  const named = new Set<string>();
  for (const header of [accept ?? []].flat()) {
    for (const part of header.split(',')) {
      const type = part.split(';')[0]!.trim().toLowerCase();
      if ([OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST].includes(type) || isSchemaOneType(type)) named.add(type);
    }
  }
  return named.size > 0 ? named : undefined;
}

/** The answer for a client that named `named` (undefined: anything goes) asking for `m`, by tag or by digest. */
export function negotiate(named: Set<string> | undefined, m: CachedManifest, byTag: boolean): Offer {
  if (!named || named.has(m.mediaType)) return { send: true };
  if (m.mediaType === OCI_MANIFEST) return { refuse: 'OCI manifest found, but accept header does not support OCI manifests' };
  if (m.mediaType === OCI_INDEX) return { refuse: 'OCI index found, but accept header does not support OCI indexes' };
  if (m.mediaType !== DOCKER_MANIFEST_LIST || !byTag) return { send: true };
  let entries;
  try {
    entries = parseManifest(m.bytes, m.mediaType).manifests;
  } catch {
    return { send: true };
  }
  // distribution's default platform, the first entry for it whatever its variant.
  const amd64 = entries.find((d) => d.platform?.os === 'linux' && d.platform.architecture === 'amd64');
  return amd64 ? { platform: amd64.digest } : { refuse: 'manifest unknown' };
}
