// The shape of mirrors.yaml as written, once checkStructure() has accepted it: every field
// optional as in the file, before defaults, merging and reference parsing.
import type { Engine } from './model.js';

/** `tags:` as written (defaults or item). */
export interface RawTags {
  semver?: string;
  prerelease?: boolean;
  include?: string[];
  exclude?: string[];
  latest?: number;
  explicit?: string[];
}

/** `signatures:` as written (defaults or item). */
export interface RawSignatures {
  keys?: string[];
  algorithm?: 'sha256' | 'sha384' | 'sha512';
  unsignedBefore?: string;
}

/** `registries.<host>:` as written. */
export interface RawRegistry {
  credentials?: { usernameEnv?: string; passwordEnv?: string; tokenEnv?: string };
  concurrency?: number;
  tls?: 'verify' | 'insecure' | 'disabled';
  caFile?: string;
  endpoint?: string;
  maxAttempts?: number;
  rateLimit?: number;
  http2?: boolean;
  pipelining?: boolean;
}

/** One `images:` entry as written. */
export interface RawImage {
  source: string;
  name?: string;
  targets?: string[];
  tags?: RawTags;
  referrers?: boolean;
  overwrite?: boolean;
  engine?: Engine;
  signatures?: RawSignatures;
}

/** One `binaries:` entry as written. */
export interface RawBinary {
  name: string;
  artifactType: string;
  files?: string[];
  urls?: string[];
  checksums?: string;
  source?: string;
  targets?: string[];
  tags?: RawTags;
}

/** `gateway:` as written. */
export interface RawGateway {
  listen?: string;
  host?: string;
  images?: { path: string; source: string }[];
  binaries?: string[];
  backends?: string[];
  events?: string;
  healthInterval?: number;
  shutdownDelay?: number;
}

/** The whole file as written. */
export interface RawConfig {
  version: 1;
  defaults?: { targets?: string[]; tags?: RawTags; referrers?: boolean; overwrite?: boolean; engine?: Engine; signatures?: RawSignatures };
  lock?: string;
  registries?: Record<string, RawRegistry>;
  images?: RawImage[];
  binaries?: RawBinary[];
  gateway?: RawGateway;
}
