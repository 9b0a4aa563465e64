// What a target registry refused to take from skopeo, said as the native engine says it: skopeo
// reports these in its own words ("initiating layer upload … name unknown"), which name neither
// the registry's rule nor what the user can do about it.
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { blobPath } from '../content/layout/index-file.js';
import { RepositoryMissingError, UploadRefusedError, type RegmirrorError } from '../types/errors.js';
import { refusedContent } from '../registry/refused-content.js';
import { immutableTagError } from '../registry/immutable-tag.js';
import { isDigest } from '../types/digest.js';
import type { SkopeoCopyRequest } from './skopeo-args.js';

// containers/image's words for a NAME_UNKNOWN answer: a registry that does not create
// repositories on push (ECR) answers every write into an absent one with it.
const NAME_UNKNOWN = /\bname unknown\b/i;

// containers/image's words when the PATCH carrying a blob is refused. skopeo sends every blob as
// POST, one PATCH with all its bytes, then PUT, and has no other way: GAR refuses any PATCH
// (405), ghcr.io any body over 4 MiB (416), a proxy's body limit answers 413.
const PATCH_REFUSED = /\buploading layer chunked: (.+)$/i;

// containers/image's words when a manifest PUT is refused as invalid. quay.io answers a config or
// artifact media type off its allow-list with 415 MANIFEST_INVALID "manifest invalid", which
// skopeo says as "manifest invalid: manifest invalid": neither the type nor the status.
const MANIFEST_REFUSED = /\buploading manifest (\S+) to \S+: (manifest invalid\b.*)$/i;

// containers/image's words for a 400 TAG_INVALID answer to a manifest PUT: a registry whose tags
// are immutable (ECR's IMMUTABLE repositories) refusing to move one, which only the user can change.
const TAG_REFUSED = /\buploading manifest (\S+) to \S+: (tag invalid\b.*)$/i;

// …unless the answer is one that credentials or a re-run can change (401/403, 429, 5xx): those
// stay the general classification's (auth error; re-run).
const NOT_THE_UPLOAD_WAY = /unauthorized|authentication required|denied|forbidden|too ?many ?requests|unexpected http status: 5\d\d|statuscode: 5\d\d/i;

/**
 * The error a refused write to the target stands for, or undefined when `line` (skopeo's last
 * word, blamed on the destination) is no refusal this file knows.
 */
export function pushRefusal(req: SkopeoCopyRequest, line: string): RegmirrorError | undefined {
  if (req.target.scheme !== 'registry') return undefined;
  // Named by the host as configured (skopeo's line names the endpoint it connected to), as the native engine names it.
  const host = req.target.registry;
  if (NAME_UNKNOWN.test(line)) return new RepositoryMissingError(host, req.target.repository);
  const manifest = MANIFEST_REFUSED.exec(line);
  if (manifest) {
    // Said as the native engine says a 415 (registry/manifest-put.ts), with skopeo's words for the answer.
    return refusedContent(`${host}/${req.target.repository}`, manifest[1]!, `the ${described(req, manifest[1]!)}`, `skopeo: uploading manifest ${manifest[1]!}: ${manifest[2]!}`);
  }
  const tag = TAG_REFUSED.exec(line);
  if (tag && !isDigest(tag[1]!)) return immutableTagError(tag[1]!, `skopeo: ${tag[2]!}`);
  const patch = PATCH_REFUSED.exec(line);
  if (patch && !NOT_THE_UPLOAD_WAY.test(patch[1]!)) {
    return new UploadRefusedError(
      host,
      `skopeo sends each blob in one PATCH, and the registry answered ${answered(patch[1]!)}`,
      'use `engine: native` for this image (it uploads a blob in one PUT, or in chunks of a size the registry takes)',
    );
  }
  return undefined;
}

// containers/image quotes an answer it cannot parse as "StatusCode: 413, <html>\r\n<head>…",
// cut short: a proxy's error page, said as the native engine says one (its title, not its markup).
const HTML_ANSWER = /^StatusCode: (\d{3}), \s*</i;

/** The registry's answer as a line can hold it: quoted, or an HTML page by its title. */
function answered(said: string): string {
  const html = HTML_ANSWER.exec(said);
  if (!html) return `"${said}"`;
  const title = /<title>([^<]*)<\/title>/i.exec(said)?.[1]?.trim();
  return `${title || `${html[1]} ${STATUS_CODES[html[1]!] ?? ''}`.trim()}, an HTML page (a proxy or load balancer in front of the registry answered)`;
}

/**
 * "TYPE manifest with "ARTIFACT" / "CONFIG"" for a manifest of a layout source (the tag's own, or
 * the index entry skopeo names by digest), read from its blob; "manifest" where it cannot be read.
 */
function described(req: SkopeoCopyRequest, reference: string): string {
  if (req.source.scheme !== 'oci') return 'manifest';
  const digest = /^sha(256|512):[0-9a-f]+$/.test(reference) ? reference : req.digest;
  try {
    const m = JSON.parse(readFileSync(blobPath(req.source.dir, digest), 'utf8')) as { mediaType?: unknown; artifactType?: unknown; config?: { mediaType?: unknown } };
    const types = [m.artifactType, m.config?.mediaType].filter((t): t is string => typeof t === 'string');
    const kind = typeof m.mediaType === 'string' ? `${m.mediaType} manifest` : 'manifest';
    return types.length > 0 ? `${kind} with ${types.map((t) => `"${t}"`).join(' / ')}` : kind;
  } catch {
    return 'manifest';
  }
}
