// Which refusals of an upload say what (upload-policy.ts adapts to them): a whole PUT refused for
// its size or shape, a body too large or too slow whoever said it, a PATCH refused as a method.
import type { RegistryResponseError } from '../types/errors.js';
import { hasErrorCode } from './http/errors.js';

/**
 * A monolithic PUT refused for its size or shape (ghcr: 416 over 4 MiB; a registry wanting chunks),
 * or for the time its body took: a front end's 408 (Apache's RequestReadTimeout body=N, mod_reqtimeout,
 * or Timeout; registries never send one) to a whole layer read from a slow source, which chunks
 * each within that window pass.
 */
export function refusesWhole(e: RegistryResponseError): boolean {
  return e.status === 416 || tooLong(e.status) || (e.status === 400 && hasErrorCode(e, 'BLOB_UPLOAD_INVALID'));
}

/** 413 (too large) and a front end's 408 (too slow) both mean a smaller body, whoever said it. */
export function tooLong(status: number): boolean {
  return status === 413 || status === 408;
}

/** A PATCH refused as a method (GAR), not for its size. */
export function refusesPatch(e: RegistryResponseError): boolean {
  return e.status === 405 || e.status === 501 || hasErrorCode(e, 'UNSUPPORTED');
}
