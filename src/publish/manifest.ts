// The artifact manifest `oras push` would write for a set of files: an OCI image manifest with an
// artifactType, the empty config, and one tar-typed layer per file titled by its name. Nothing in
// it depends on time or input order, so the same files always give the same digest everywhere.
import type { ManifestContent } from '../content/storage.js';
import { TITLE_ANNOTATION, type Descriptor } from '../types/descriptor.js';
import { sha256 } from '../types/digest.js';
import { OCI_EMPTY, OCI_LAYER_TAR, OCI_MANIFEST } from '../types/mediatype.js';
import { UsageError } from '../types/errors.js';

/** The bytes of the OCI empty descriptor's blob (image-spec "Guidance for an Empty Descriptor"). */
export const EMPTY_CONFIG_BYTES = Buffer.from('{}');

/** The config every artifact manifest points at (`{}`, 2 bytes). */
export const EMPTY_CONFIG: Descriptor = {
  mediaType: OCI_EMPTY,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
};

/** What a layer needs to know about a file. */
export interface LayerFile {
  name: string;
  digest: string;
  size: number;
}

/** Builds the manifest bytes and descriptor; layers sorted by name (code-unit order, locale-free). */
export function artifactManifest(artifactType: string, files: LayerFile[]): ManifestContent {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  sorted.forEach((f, i) => {
    if (i > 0 && sorted[i - 1]!.name === f.name) throw new UsageError(`two release files are both named "${f.name}"; layer titles must be unique`);
  });
  // Key order is fixed by this literal; JSON.stringify keeps insertion order.
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType,
    config: EMPTY_CONFIG,
    layers: sorted.map((f) => ({ mediaType: OCI_LAYER_TAR, digest: f.digest, size: f.size, annotations: { [TITLE_ANNOTATION]: f.name } })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { descriptor: { mediaType: OCI_MANIFEST, digest: sha256(bytes), size: bytes.byteLength }, bytes };
}
