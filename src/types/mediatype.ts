// Media types of the OCI image spec and Docker's schema 2, and how a manifest links to its parts.
import { SizeLimitError, UnsupportedError } from './errors.js';
import type { Descriptor } from './descriptor.js';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** Sent as `Accept` on every manifest HEAD/GET so registries never down-convert. */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST];

/** Manifests we refuse to read past (oras-go and containerd use the same cap). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * A manifest over that cap, said once for every store: no retry or rerun gets it through, and a
 * registry target would refuse it too, so the one thing to do is leave its tag out.
 */
export function manifestTooLarge(what: string, size?: number): SizeLimitError {
  // A manifest streamed without Content-Length is over the cap before its size is known.
  return new SizeLimitError(`${what} is ${size === undefined ? '' : `${size} bytes, `}over 4 MiB (${MAX_MANIFEST_BYTES} bytes), the most regmirror reads of a manifest, as oras and containerd: registries need take no more (distribution refuses it: 400 MANIFEST_INVALID "http: request body too large"), so leave the tag out (tags: exclude)`);
}

/** An index or manifest list: its parts are other manifests. */
export function isIndexType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

/** A single-platform manifest (or artifact manifest): its parts are blobs. */
export function isImageManifestType(mediaType: string): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST;
}

/** Anything fetched from /manifests/ rather than /blobs/. */
export function isManifestType(mediaType: string): boolean {
  return isIndexType(mediaType) || isImageManifestType(mediaType);
}

const SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+';

/** Docker's schema 1 types: signed `v1+prettyjws`, unsigned `v1+json`. */
export function isSchemaOneType(mediaType: string): boolean {
  return mediaType.startsWith(SCHEMA1);
}

/**
 * The type of a Docker schema 1 manifest, by the type it came with (a Content-Type, an index.json
 * entry) or, when that is no manifest type, by its `schemaVersion: 1`. Its digest is not the
 * bytes': distribution names it by the payload without signatures and signs it anew on each GET
 * (skopeo names a layout's copy the same way), so the bytes' hash never matches, and reading it
 * again cannot help.
 */
export function schemaOne(declared: string | undefined, bytes: Uint8Array): string | undefined {
  if (declared && isSchemaOneType(declared)) return declared;
  if (declared && isManifestType(declared)) return undefined;
  try {
    const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as { schemaVersion?: unknown } | null;
    return doc?.schemaVersion === 1 ? 'schemaVersion 1' : undefined;
  } catch {
    return undefined;
  }
}

/** Why the schema 1 manifest at `where` (REPOSITORY:TAG) is not copied, and what to do. */
export function schemaOneRefusal(where: string, type: string): UnsupportedError {
  return new UnsupportedError(`${where} is a Docker schema 1 manifest (${type}), which is not copied: it names its repository and tag in the payload its digest covers, so a copy under another name cannot keep that digest (skopeo --preserve-digests refuses it too); re-push it as schema 2 or OCI, or drop it with tags.exclude`);
}

/** A parsed manifest or index: its own type and the descriptors it points to. */
export interface ParsedManifest {
  mediaType: string;
  /** Child manifests of an index, in document order. */
  manifests: Descriptor[];
  /** Config then layers of an image manifest (blobs). */
  blobs: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

interface RawManifest {
  schemaVersion?: number;
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/**
 * Parses manifest bytes. `declared` is the Content-Type (or descriptor media type) it came with;
 * the document's own `mediaType` wins when present, as in the distribution spec.
 */
export function parseManifest(bytes: Uint8Array, declared?: string): ParsedManifest {
  let raw: RawManifest;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8')) as RawManifest;
  } catch {
    throw new UnsupportedError('manifest is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UnsupportedError('manifest is not a JSON object');
  const mediaType = raw.mediaType ?? inferMediaType(raw, declared);
  if (!isManifestType(mediaType)) throw new UnsupportedError(`unsupported manifest media type "${mediaType}"`);
  if (isIndexType(mediaType)) {
    if (!Array.isArray(raw.manifests)) throw new UnsupportedError('index without a "manifests" list');
    return { mediaType, manifests: raw.manifests.map((d, i) => checkDescriptor(d, 'manifests', i)), blobs: [], ...extras(raw) };
  }
  if (!raw.config || !Array.isArray(raw.layers ?? [])) throw new UnsupportedError('image manifest without config/layers');
  const blobs = [checkDescriptor(raw.config, 'config'), ...(raw.layers ?? []).map((d, i) => checkDescriptor(d, 'layers', i))];
  return { mediaType, manifests: [], blobs, ...extras(raw) };
}

/**
 * parseManifest, its refusal naming the manifest (`sha256:…`, `referrer sha256:…`): a flaw found
 * in a child, a referrer or a signature manifest did not say which manifest it was in.
 */
export function parseNamedManifest(bytes: Uint8Array, declared: string | undefined, name: string): ParsedManifest {
  try {
    return parseManifest(bytes, declared);
  } catch (err) {
    throw err instanceof UnsupportedError ? new UnsupportedError(`${name}: ${err.message}`) : err;
  }
}

// Without its own mediaType a document can only be OCI: Docker's schema 2 requires the field, and
// distribution refuses such bytes as a Docker manifest list but takes them as an OCI index. So
// the shape decides, whatever type a layout entry or header declared.
function inferMediaType(raw: RawManifest, declared: string | undefined): string {
  return typeByShape(raw) ?? declared ?? 'unknown';
}

/** The OCI type a parsed document without its own `mediaType` has by its shape, if it has one. */
export function typeByShape(raw: { manifests?: unknown; config?: unknown }): string | undefined {
  if (Array.isArray(raw.manifests)) return OCI_INDEX;
  if (raw.config) return OCI_MANIFEST;
  return undefined;
}

function extras(raw: RawManifest): Pick<ParsedManifest, 'subject' | 'artifactType' | 'annotations'> {
  const out: Pick<ParsedManifest, 'subject' | 'artifactType' | 'annotations'> = {};
  if (raw.subject) out.subject = checkDescriptor(raw.subject, 'subject');
  if (raw.artifactType) out.artifactType = raw.artifactType;
  if (raw.annotations) out.annotations = raw.annotations;
  return out;
}

// `field` and `index` name the descriptor in the document (`subject`, `layers[2]`), and the message
// what it lacks: a referrer pushed by a faulty tool was refused as 'manifest has a malformed
// descriptor' alone, which left a person to find the manifest and the field by hand. Every
// manifest a copy reads passes here, so a sound descriptor costs three type checks and no more.
function checkDescriptor(d: Descriptor, field: string, index?: number): Descriptor {
  if (typeof d === 'object' && d !== null && typeof d.mediaType === 'string' && typeof d.digest === 'string' && typeof d.size === 'number') return d;
  const where = index === undefined ? field : `${field}[${index}]`;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) throw new UnsupportedError(`manifest has a malformed descriptor: its ${where} is not a JSON object`);
  const lacking = DESCRIPTOR_FIELDS.filter(([key, type]) => typeof d[key] !== type).map(([key, type]) => `"${key}" (a ${type})`);
  if (lacking.length > 0) throw new UnsupportedError(`manifest has a malformed descriptor: its ${where} has no ${lacking.join(', ')}`);
  return d;
}

const DESCRIPTOR_FIELDS: readonly [keyof Descriptor, 'string' | 'number'][] = [['mediaType', 'string'], ['digest', 'string'], ['size', 'number']];
