// OCI content descriptor (image-spec descriptor.md), the unit the copier moves.
import { formatBytes } from './size.js';

/** The file name an artifact's layer carries (image-spec annotations.md; publish's release files, oras's). */
export const TITLE_ANNOTATION = 'org.opencontainers.image.title';

/** Platform of an index entry. */
export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

/** What a manifest, index or blob is: type, digest, size, and optional extras. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
  platform?: Platform;
  urls?: string[];
}

/** "linux/arm64/v8" for people. */
export function platformString(p: Platform | undefined): string {
  if (!p) return '';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/**
 * A blob as a line names it: digest and size, and the file name an artifact gave it first, which
 * is what a person recognises (a publish with every upload cut named `blob sha256:… (6.0 MiB)`):
 * `cmctl-linux-amd64.tar.gz (6.0 MiB, blob sha256:…)`.
 */
export function blobCalled(desc: Descriptor): string {
  const title = desc.annotations?.[TITLE_ANNOTATION];
  return title ? `${title} (${formatBytes(desc.size)}, blob ${desc.digest})` : `blob ${desc.digest} (${formatBytes(desc.size)})`;
}
