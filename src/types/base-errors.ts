// The base class every error kind extends, and the kinds raised apart from a registry's answer:
// a wrong setting or flag, an interrupt, content that is not what it claims. A module of its own
// so every family of errors extends the base without a cycle through errors.ts, which re-exports them.

/** Base class: `kind` is stable for JSON reports, `message` is one line for a person. */
export class RegmirrorError extends Error {
  readonly kind: string = 'error';
  override name = 'RegmirrorError';
}

/** mirrors.yaml (or a CLI flag) is wrong; exit 2 before any request. */
export class ConfigError extends RegmirrorError {
  override readonly kind = 'config';
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${col}: ${detail}`);
  }
}

/** A flag or argument the user gave is unusable; exit 2. */
export class UsageError extends RegmirrorError {
  override readonly kind = 'usage';
  override name = 'UsageError';
}

/** Bytes did not hash to the digest they were fetched or pushed under. */
export class DigestMismatchError extends RegmirrorError {
  override readonly kind = 'digest-mismatch';
  override name = 'DigestMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string,
    what = 'content',
    /** What the bytes show of why, when they show it. */
    why?: string,
  ) {
    super(`${what} digest mismatch: expected ${expected}, got ${actual}${why ? `: ${why}` : ''}`);
  }
}

/** Content larger than we accept (manifests over 4 MiB) or larger than its descriptor said. */
export class SizeLimitError extends RegmirrorError {
  override readonly kind = 'size-limit';
  override name = 'SizeLimitError';
}

/** Well-formed input we do not handle: unknown digest algorithm, media type, manifest shape. */
export class UnsupportedError extends RegmirrorError {
  override readonly kind = 'unsupported';
  override name = 'UnsupportedError';
}

/** The run was interrupted (SIGINT/SIGTERM): nothing new starts. */
export class AbortedError extends RegmirrorError {
  override readonly kind = 'aborted';
  override name = 'AbortedError';
}
