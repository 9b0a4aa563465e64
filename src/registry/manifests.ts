// Manifests: HEAD to resolve, GET (capped, verified, retried on truncation or a wrong digest),
// PUT by digest or by tag (distribution spec "Pulling manifests" / "Pushing manifests").
import type { CallOptions, ManifestContent } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { digestOf, isDigest } from '../types/digest.js';
import { DigestMismatchError, SizeLimitError, UnsupportedError } from '../types/errors.js';
import { isValidTag } from '../types/reference.js';
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, isManifestType, manifestTooLarge, isSchemaOneType, schemaOne, schemaOneRefusal, typeByShape } from '../types/mediatype.js';
import { discard, readCapped } from './http/body.js';
import { expectStatus } from './http/errors.js';
import { PageInsteadOfAnswerError, describeStatus, htmlTitle, isHtml } from './http/front-pages.js';
import { displayUrl, header, type HttpRequest, type RetryBudget } from './http/types.js';
import { mediaTypeOf, present, type RepoContext } from './repo-context.js';
import { readAgainWhenSpoiled } from './read-again.js';

const ACCEPT = MANIFEST_ACCEPT.join(', ');

/** `manifests/<reference>` for a tag or a digest only: anything else would change the URL's path. */
export function manifestUrl(repo: RepoContext, reference: string): URL {
  if (!isValidTag(reference) && !isDigest(reference)) throw new UnsupportedError(`${JSON.stringify(reference.slice(0, 140))} is neither a valid tag nor a digest`);
  return repo.url(`manifests/${reference}`);
}

/** HEAD the manifest; GET it when the registry does not say its digest or size. */
export async function resolveManifest(repo: RepoContext, reference: string, opts: CallOptions = {}): Promise<Descriptor> {
  const req: HttpRequest = { method: 'HEAD', url: manifestUrl(repo, reference), scopes: repo.scopes, headers: { accept: ACCEPT }, signal: opts.signal, priority: opts.priority };
  const res = await expectStatus('HEAD', await repo.host.send(req), 200);
  present(repo);
  const said = header(res, 'docker-content-digest');
  const digest = said && isDigest(said) ? said : isDigest(reference) ? reference : undefined;
  const size = Number(header(res, 'content-length'));
  const mediaType = mediaTypeOf(header(res, 'content-type'));
  // A schema 1 manifest is named by the registry's digest (its payload's), never by its bytes: the
  // HEAD's answer is all there is to know, as skopeo inspect says. A target tag an old mirror left
  // at schema 1 is then a conflict (or a mismatch) that --force retargets, not a read that fails.
  if (digest && Number.isSafeInteger(size) && size > 0 && (isManifestType(mediaType) || isSchemaOneType(mediaType))) return { mediaType, digest, size };
  return (await fetchManifest(repo, reference, opts)).descriptor;
}

/** GET the manifest bytes, proven against the digest asked for or the one the registry names. */
export async function fetchManifest(repo: RepoContext, reference: string, opts: CallOptions = {}): Promise<ManifestContent> {
  // A page instead of a manifest is asked for again as wrong bytes are: a flaky middlebox passes.
  const spoiled = (e: unknown) => e instanceof DigestMismatchError || e instanceof PageInsteadOfAnswerError;
  return readAgainWhenSpoiled(repo, manifestUrl(repo, reference), opts, spoiled, (budget) => fetchOnce(repo, reference, budget, opts));
}

async function fetchOnce(repo: RepoContext, reference: string, budget: RetryBudget, opts: CallOptions): Promise<ManifestContent> {
  const url = manifestUrl(repo, reference);
  const res = await expectStatus('GET', await repo.host.send({ method: 'GET', url, scopes: repo.scopes, headers: { accept: ACCEPT }, signal: opts.signal, priority: opts.priority, budget }), 200);
  const length = Number(header(res, 'content-length'));
  if (length > MAX_MANIFEST_BYTES) {
    discard(res.body);
    throw manifestTooLarge(`manifest ${repo.host.host}/${repo.path}@${reference}`, length);
  }
  const bytes = await readCapped(res.body, MAX_MANIFEST_BYTES).catch((e: unknown) => {
    throw e instanceof SizeLimitError ? manifestTooLarge(`manifest ${repo.host.host}/${repo.path}@${reference}`) : e;
  });
  if (isHtml(bytes)) throw new PageInsteadOfAnswerError(`GET ${displayUrl(url)}: ${describeStatus(200, true, htmlTitle(bytes.toString('utf8')))}, not a manifest`);
  const schema1 = schemaOne(mediaTypeOf(header(res, 'content-type')), bytes);
  if (schema1) throw schemaOneRefusal(`${repo.host.host}/${repo.path}${isDigest(reference) ? '@' : ':'}${reference}`, schema1);
  const said = header(res, 'docker-content-digest');
  const expected = isDigest(reference) ? reference : said && isDigest(said) ? said : undefined;
  const digest = digestOf(bytes, expected ?? 'sha256:');
  if (expected && digest !== expected) throw new DigestMismatchError(expected, digest, `manifest ${repo.host.host}/${repo.path}`, cutShort(bytes));
  return { descriptor: { mediaType: manifestMediaType(header(res, 'content-type'), bytes), digest, size: bytes.byteLength }, bytes };
}

/**
 * A manifest is JSON (registries refuse any other on push): bytes that do not parse were cut or
 * damaged on the way, which the line says (issuer2 hunt: a proxy sending every manifest with a
 * Content-Length 7 bytes short read as a bare digest mismatch, as if the registry held other bytes).
 */
function cutShort(bytes: Uint8Array): string | undefined {
  try {
    JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    return undefined;
  } catch {
    return `the ${bytes.byteLength} bytes received are not a whole JSON document, so they were cut short or damaged on the way (a proxy or front end in between sending a wrong Content-Length?)`;
  }
}

/** The response Content-Type, or the document's own mediaType when the header is not a manifest type. */
function manifestMediaType(contentType: string | undefined, bytes: Uint8Array): string {
  const declared = mediaTypeOf(contentType);
  if (isManifestType(declared)) return declared;
  return ownMediaType(bytes) ?? declared;
}

const ownTypes = new WeakMap<Uint8Array, string | undefined>();

/**
 * The `mediaType` a manifest names itself, else the OCI type its shape says (without the field a
 * document can only be OCI: a proxy that rewrites or drops Content-Type left nothing else to go by,
 * and distribution refuses such bytes PUT as application/octet-stream). A registry checks the
 * Content-Type of a PUT against it (MANIFEST_INVALID), so it wins over a descriptor that says
 * otherwise, as in skopeo.
 */
export function ownMediaType(bytes: Uint8Array): string | undefined {
  // The same bytes go to every target, often under a digest and a tag: parse them once.
  if (ownTypes.has(bytes)) return ownTypes.get(bytes);
  let own: string | undefined;
  try {
    const doc = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as { mediaType?: unknown; manifests?: unknown; config?: unknown } | null;
    const inner = doc?.mediaType;
    own = typeof inner === 'string' && inner ? inner : doc && typeof doc === 'object' ? typeByShape(doc) : undefined;
  } catch {
    own = undefined; // not JSON: nothing of its own to say
  }
  ownTypes.set(bytes, own);
  return own;
}
