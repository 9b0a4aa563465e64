// OCI content descriptor (image-spec descriptor.md), the unit the copier moves.

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
