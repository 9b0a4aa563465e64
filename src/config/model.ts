// The validated mirrors.yaml, as the use cases see it (see SPEC.md "mirrors.yaml").
// Produced only by loadConfig(); every field is resolved (defaults merged, paths absolute).
import type { NamespaceRef, RepositoryRef } from '../types/reference.js';

/** Tag selection rules after merging an item's `tags` over `defaults.tags`. */
export interface TagRules {
  /** node-semver range over tags that parse as semver ("v" prefix ok); undefined = no semver filter. */
  semver?: string;
  /** true: keep -alpha/-beta/-rc; false: drop them; undefined: node-semver's own rule when `semver` is set, else keep. */
  prerelease?: boolean;
  include: string[];
  exclude: string[];
  /** Keep only the N highest semver tags; 0 = no limit. */
  latest: number;
  /** Always selected, whatever the rules say. */
  explicit: string[];
}

/** Where a key was written, for FILE:LINE:COL messages raised after loading. */
export interface Position {
  line: number;
  col: number;
}

/** How to reach one registry host. */
export interface RegistrySettings {
  host: string;
  /** Env var names (never values) for basic credentials or a bearer identity token. */
  credentials?: { usernameEnv?: string; passwordEnv?: string; tokenEnv?: string };
  /** Requests in flight to this registry. */
  concurrency?: number;
  /** verify (default), insecure (TLS without verification), disabled (plain HTTP). Loopback hosts default to disabled. */
  tls: 'verify' | 'insecure' | 'disabled';
  /** Absolute path of an extra CA bundle. */
  caFile?: string;
  /** Base URL requests for this host really go to (`https://mirror.internal:8443`). */
  endpoint?: string;
  /** Attempts per request before giving up (retries + 1). */
  maxAttempts?: number;
  /** Requests per second to this host, every request included (tokens, retries). */
  rateLimit?: number;
  /** false: HTTP/1.1 only (no ALPN h2), for middleboxes that break HTTP/2; default: h2 when offered. */
  http2?: boolean;
  /** false: one request at a time on each HTTP/1.1 connection, for a middlebox that mishandles pipelined requests; default: small requests pipelined (registry/http/pipelining.ts). */
  pipelining?: boolean;
  position?: Position;
}

export type Engine = 'native' | 'skopeo';

/** `signatures:` after merging an item's over defaults: which keys a source digest must be signed by. */
export interface SignaturePolicy {
  /** Absolute paths of PEM public keys (checked by loadConfig); any one may verify. */
  keys: string[];
  /** The digest the signatures were made over (cosign signs P-384 keys over sha384 by default). */
  algorithm: 'sha256' | 'sha384' | 'sha512';
  /** Releases below this version were never signed: mirrored without a check. */
  unsignedBefore?: string;
}

/** One `images:` entry. */
export interface ImageItem {
  /** The source as written in mirrors.yaml. */
  sourceText: string;
  source: RepositoryRef;
  /** Repository name under each target namespace. */
  name: string;
  targets: NamespaceRef[];
  tags: TagRules;
  /** Whether `tags` rules were given at all (none = every non-referrer tag). */
  hasTagRules: boolean;
  referrers: boolean;
  overwrite: boolean;
  engine: Engine;
  /** Set when `signatures` (item or defaults) names keys: only signed tags are mirrored. */
  signatures?: SignaturePolicy;
  position: Position;
}

/** One `binaries:` entry (see publish). */
export interface BinaryItem {
  name: string;
  artifactType: string;
  files: string[];
  urls: string[];
  /** Absolute path of a sha256sum-format file, when given. */
  checksums?: string;
  /** Reference namespace; absent = first target is the reference. */
  source?: NamespaceRef;
  targets: NamespaceRef[];
  tags: TagRules;
  hasTagRules: boolean;
  position: Position;
}

/** One path the gateway serves, and where it reads from, in order of preference (source last). */
export interface GatewayImage {
  path: string;
  item: ImageItem;
  backends: RepositoryRef[];
}

/** One binary the gateway redirects to (`/<name>/<tag>/<file>`). */
export interface GatewayBinary {
  item: BinaryItem;
  backends: RepositoryRef[];
}

/** The `gateway:` section with defaults applied (SPEC.md "Gateway"). */
export interface GatewaySettings {
  listen: { host: string; port: number };
  /** The public name, for links and the stats page. */
  host?: string;
  images: GatewayImage[];
  binaries: GatewayBinary[];
  /** "-" (standard output) or an absolute file path. */
  events: string;
  healthInterval: number;
  /** Seconds after SIGTERM that new requests are still served, /-/ready answering 503, before the listener closes. */
  shutdownDelay: number;
  position: Position;
}

/** The whole validated file. */
export interface Config {
  /** Path as the user gave it (used in messages). */
  file: string;
  version: 1;
  defaults: {
    targets: NamespaceRef[];
    tags: TagRules;
    referrers: boolean;
    overwrite: boolean;
    engine: Engine;
  };
  /** Keyed by host as written (`quay.io`, `127.0.0.1:5000`). */
  registries: Map<string, RegistrySettings>;
  images: ImageItem[];
  binaries: BinaryItem[];
  /** Absolute path of the digest record (`lock:`), when given. */
  lock?: string;
  /** The `gateway:` section, when given. */
  gateway?: GatewaySettings;
}
