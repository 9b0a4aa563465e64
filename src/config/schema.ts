// The JSON Schema of mirrors.yaml (SPEC.md "mirrors.yaml"): `regmirror schema` prints it, editors
// use it for completion, and loadConfig checks the file's shape with it before the semantic checks.
// Draft-07, ajv's default dialect. Semantics a schema cannot say well (semver ranges, regexes,
// references, duplicates, credentials pairs) are checked by hand in semantic.ts.

const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';

const stringList = (description: string) => ({ type: 'array', items: { type: 'string' }, description });

const tagRules = {
  type: 'object',
  description: 'Which source tags are mirrored. Item rules merge key by key over defaults.tags; without any rule every tag is selected (referrer tags always travel with their image).',
  additionalProperties: false,
  properties: {
    semver: { type: 'string', description: 'node-semver range over tags that parse as semver ("v" prefix ok), e.g. ">=1.12.0". Tags that are not versions are dropped.' },
    prerelease: { type: 'boolean', description: 'true: include -alpha.N / -beta.N / -rc.N tags; false: drop them; unset: node-semver\'s own rule.' },
    include: stringList('Regexes (JavaScript, unanchored); when any are given a tag must match one.'),
    exclude: stringList('Regexes (JavaScript, unanchored); a matching tag is dropped.'),
    latest: { type: 'integer', minimum: 0, description: 'Keep only the N highest semver versions (0 = no limit).' },
    explicit: stringList('Tags always selected when the source has them, whatever the rules above say.'),
  },
};

const targets = stringList('Namespaces the repository is mirrored into (host/path or oci:DIR); the repository name is appended.');
const engine = { type: 'string', enum: ['native', 'skopeo'], description: 'native: regmirror\'s own OCI client; skopeo: copy through `skopeo copy --all --preserve-digests`.' };
const referrers = { type: 'boolean', description: 'Also copy signatures, attestations and SBOMs (cosign tags and OCI 1.1 referrers). Default true.' };
const overwrite = { type: 'boolean', description: 'Retarget a target tag that points at a different digest (as --force does). Default false.' };

const signatures = {
  type: 'object',
  description: 'Mirror a tag only when its source digest carries a cosign signature (sha256-HEX.sig or its OCI 1.1 referrer form) that one of the keys verifies. Item settings merge key by key over defaults.signatures.',
  additionalProperties: false,
  properties: {
    keys: stringList('PEM public keys (ECDSA P-256/P-384/P-521, RSA, Ed25519), relative to this file; any one may verify.'),
    algorithm: { type: 'string', enum: ['sha256', 'sha384', 'sha512'], description: 'The digest the signatures were made over (default sha256; cert-manager signs with sha512; cosign signs with a P-384 key over sha384).' },
    unsignedBefore: { type: 'string', description: 'Releases older than this version (e.g. v1.8.0) were never signed: mirrored without a check.' },
  },
};

const registry = {
  type: 'object',
  description: 'How to reach one registry host.',
  additionalProperties: false,
  properties: {
    credentials: {
      type: 'object',
      description: 'Names of environment variables holding credentials (never the secrets themselves): usernameEnv + passwordEnv, or tokenEnv.',
      additionalProperties: false,
      properties: {
        usernameEnv: { type: 'string', pattern: ENV_NAME, description: 'Environment variable holding the user name.' },
        passwordEnv: { type: 'string', pattern: ENV_NAME, description: 'Environment variable holding the password or access token.' },
        tokenEnv: { type: 'string', pattern: ENV_NAME, description: 'Environment variable holding a bearer token, sent to the registry as it is (Authorization: Bearer, as Docker\'s registrytoken); not an identity (refresh) token. engine: skopeo cannot send one.' },
      },
    },
    concurrency: { type: 'integer', minimum: 1, description: 'Requests in flight to this registry.' },
    tls: { type: 'string', enum: ['verify', 'insecure', 'disabled'], description: 'verify (default), insecure (TLS without certificate verification), disabled (plain HTTP; the default for loopback hosts without a caFile). An endpoint\'s http:// or https:// decides plain HTTP or TLS.' },
    caFile: { type: 'string', description: 'Extra CA bundle (PEM), relative to this file.' },
    endpoint: { type: 'string', description: 'http(s) URL where requests for this host really go, e.g. https://mirror.internal:8443.' },
    maxAttempts: { type: 'integer', minimum: 1, description: 'Attempts per request before giving up (retries + 1).' },
    rateLimit: { type: 'number', exclusiveMinimum: 0, description: 'Requests per second to this host, shared by every request (token requests and retries included), evenly spaced.' },
    http2: { type: 'boolean', description: 'false: speak HTTP/1.1 only, for proxies or middleboxes that break HTTP/2 (default true: HTTP/2 when the registry offers it over TLS).' },
    pipelining: { type: 'boolean', description: 'false: one request at a time on each HTTP/1.1 connection, for a middlebox that mishandles pipelined requests (default true: small requests pipelined, up to 4 on a connection; HTTP/2 multiplexes either way).' },
  },
};

const image = {
  type: 'object',
  description: 'One repository to mirror: every selected tag, byte for byte.',
  additionalProperties: false,
  required: ['source'],
  properties: {
    source: { type: 'string', description: 'Source repository: host/path (quay.io/jetstack/cert-manager-controller) or oci:DIR/name.' },
    name: { type: 'string', description: 'Repository name under each target namespace (default: basename of source).' },
    targets,
    tags: { $ref: '#/definitions/tagRules' },
    referrers,
    overwrite,
    engine,
    signatures: { $ref: '#/definitions/signatures' },
  },
};

const binary = {
  type: 'object',
  description: 'Release files pushed as OCI artifacts (oras-compatible) by `regmirror publish`.',
  additionalProperties: false,
  required: ['name', 'artifactType'],
  properties: {
    name: { type: 'string', description: 'Repository name under each target namespace.' },
    artifactType: { type: 'string', description: 'OCI artifactType of the pushed manifest, e.g. application/vnd.cert-manager.cmctl.v1; application/vnd.cncf.helm.config.v1+json pushes a Helm chart .tgz as helm push does (its version must be --tag).' },
    files: stringList('Globs of files to push, under publish --dir.'),
    urls: stringList('URLs to fetch the files from; {tag} is replaced by the release tag.'),
    checksums: { type: 'string', description: 'sha256sum-format file, relative to this file; every file must match before anything is pushed.' },
    source: { type: 'string', description: 'Reference namespace for verify; absent = the first target is the reference.' },
    targets,
    tags: { $ref: '#/definitions/tagRules' },
  },
};

const gateway = {
  type: 'object',
  description: 'The read-only pull gateway `regmirror serve` runs (SPEC.md "Gateway").',
  additionalProperties: false,
  properties: {
    listen: { type: 'string', description: 'host:port to listen on (default 0.0.0.0:8080).' },
    host: { type: 'string', description: 'The public host name, for links and the stats page.' },
    images: {
      type: 'array',
      description: 'Served paths; default every image item under its name.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'source'],
        properties: {
          path: { type: 'string', description: 'Repository path clients pull (charts/cert-manager).' },
          source: { type: 'string', description: 'The images: item served there, by its source as written.' },
        },
      },
    },
    binaries: stringList('Binary items served at /<name>/<tag>/<file>; default every binaries: item.'),
    backends: stringList('Preference order of target namespaces; default each item\'s targets in order. The source is always the last resort.'),
    events: { type: 'string', description: 'Where one NDJSON event per request goes: "-" = standard output (default), or a file path.' },
    healthInterval: { type: 'number', exclusiveMinimum: 0, description: 'Seconds between backend probes (default 5).' },
    shutdownDelay: { type: 'number', minimum: 0, description: 'Seconds after SIGTERM that new requests are still served while /-/ready answers 503, so load balancers and Kubernetes Services stop sending them, before the gateway stops accepting and gives the requests in flight 30 s (default 5; 0 = stop accepting at once).' },
  },
};

/** The JSON Schema of mirrors.yaml, printed by `regmirror schema` and used by loadConfig. */
export const mirrorsSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'regmirror mirrors.yaml',
  description: 'What regmirror mirrors, where to, and how to reach each registry.',
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: { const: 1, description: 'Format version; must be 1.' },
    defaults: {
      type: 'object',
      description: 'Settings every image and binary inherits.',
      additionalProperties: false,
      properties: { targets, tags: { $ref: '#/definitions/tagRules' }, referrers, overwrite, engine, signatures: { $ref: '#/definitions/signatures' } },
    },
    registries: {
      type: 'object',
      description: 'Per-host settings, keyed by host as written in references (quay.io, registry.internal:5000). Hosts not listed use the defaults.',
      additionalProperties: { $ref: '#/definitions/registry' },
    },
    images: { type: 'array', description: 'Repositories to mirror.', items: { $ref: '#/definitions/image' } },
    binaries: { type: 'array', description: 'Release files to publish as OCI artifacts.', items: { $ref: '#/definitions/binary' } },
    lock: { type: 'string', description: 'The digest record (JSON), relative to this file: every mirrored (source, tag) with the source digest first mirrored; a source tag that moves is held until sync --accept-moved.' },
    gateway: { $ref: '#/definitions/gateway' },
  },
  definitions: { tagRules, registry, image, binary, signatures, gateway },
} as const;
