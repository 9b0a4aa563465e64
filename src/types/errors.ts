// The closed set of error kinds every layer shares. Callers branch on `instanceof`, never on text.
// Every kind is imported from here; each family lives in a module of its own: base-errors.ts (the
// base class; config, usage, interrupt, content), registry-errors.ts (a registry's answers),
// unreachable-errors.ts (no answer), copy-errors.ts (a copy's side, uploads), error-tries.ts (how
// often a failure was tried).
export { AbortedError, ConfigError, DigestMismatchError, RegmirrorError, SizeLimitError, UnsupportedError, UsageError } from './base-errors.js';
export { CopyError, EitherSideCopyError, UploadAdaptedError, UploadRefusedError, type Origin } from './copy-errors.js';
export { retriedInPlace, triedInAll, triedOut, triesInPlace, triesTold } from './error-tries.js';
export {
  AccessDeniedError,
  AuthError,
  MalformedAnswerError,
  NameUnknownError,
  NoSuchRepositoryError,
  NotFoundError,
  RegistryResponseError,
  RepositoryMissingError,
  sayErrors,
  type RegistryErrorEntry,
} from './registry-errors.js';
export { CertsDirError, isLasting, MisplacedLocationError, ProxyError, TlsError, UnreachableError, type TlsProblem } from './unreachable-errors.js';
