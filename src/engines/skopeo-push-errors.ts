// What a target registry refused to take from skopeo, said as the native engine says it: skopeo
// reports these in its own words ("initiating layer upload … name unknown"), which name neither
// the registry's rule nor what the user can do about it.
import { RepositoryMissingError, type RegmirrorError } from '../types/errors.js';
import type { SkopeoCopyRequest } from './skopeo-args.js';

// containers/image's words for a NAME_UNKNOWN answer: a registry that does not create
// repositories on push (ECR) answers every write into an absent one with it.
const NAME_UNKNOWN = /\bname unknown\b/i;

/**
 * The error a refused write to the target stands for, or undefined when `line` (skopeo's last
 * word, blamed on the destination) is no refusal this file knows.
 */
export function pushRefusal(req: SkopeoCopyRequest, line: string): RegmirrorError | undefined {
  if (req.target.scheme !== 'registry') return undefined;
  // Named by the host as configured (skopeo's line names the endpoint it connected to), as the native engine names it.
  if (NAME_UNKNOWN.test(line)) return new RepositoryMissingError(req.target.registry, req.target.repository);
  return undefined;
}
