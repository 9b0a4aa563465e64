// Which tags a signature policy covers: all of them but releases older than `unsignedBefore`.
import lt from 'semver/functions/lt.js'; // per-function modules: see types/tag.ts
import type { SignaturePolicy } from '../config/model.js';
import { tagVersion } from '../types/tag.js';

/** False only for releases older than `unsignedBefore` (never signed); floating tags are always checked. */
export function needsSignature(tag: string, policy: SignaturePolicy): boolean {
  if (policy.unsignedBefore === undefined) return true;
  const version = tagVersion(tag);
  const before = tagVersion(policy.unsignedBefore);
  return version === null || before === null || !lt(version, before);
}
