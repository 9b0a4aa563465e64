// Turns a failed skopeo run into one of regmirror's error kinds: the last meaningful stderr line,
// redacted, with a guess at which side failed (skopeo's messages name the step that broke), and
// whether running the copy again may help (a 5xx, a 429, a broken connection).
import {
  AuthError,
  CopyError,
  EitherSideCopyError,
  NotFoundError,
  RegmirrorError,
  UnreachableError,
  type Origin,
} from '../types/errors.js';
import { FRONT_HEADER_LIMITS } from '../registry/http/front-pages.js';
import { formatRepository } from '../types/reference.js';
import { redact } from '../ui/redact.js';
import type { SkopeoCopyRequest } from './skopeo-args.js';
import { blobForbiddenAtSource } from './skopeo-blob-refusal.js';
import { pushRefusal } from './skopeo-push-errors.js';
import { stillWithNoSide } from './skopeo-stillness.js';

// Progress chatter skopeo may print even with --quiet on some paths.
const NOISE = /^(Getting image source signatures|Copying (blob|config)|Writing manifest|Storing signatures|Getting image list signatures|Copying \d+ of \d+ images|Copying image)/;

/** The last line that says something, unwrapped from logrus' `time=… level=fatal msg="…"`. */
export function lastMeaningfulLine(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !NOISE.test(l));
  const last = lines.at(-1) ?? '';
  const msg = /\blevel=(?:fatal|error)\s+msg="((?:[^"\\]|\\.)*)"/.exec(last);
  if (!msg) return last;
  return unquote(msg[1]!);
}

/**
 * logrus quotes `msg` as Go does: `\"`, `\\` and `\n` (containers/image puts each of a registry's
 * errors on a line of its own): the lines joined, so that no literal backslash-n reaches a report.
 */
function unquote(quoted: string): string {
  const text = quoted.replace(/\\(["\\nt])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? ' ' : c));
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.reduce((out, l) => (out === '' ? l : `${out}${out.endsWith(':') ? ' ' : '; '}${l}`), '');
}

/** Which side a skopeo message is about; destination unless the message points at the source. */
export function guessOrigin(message: string, sourceImage: string, targetImage: string): Origin {
  const m = message.toLowerCase();
  // containers/image marks a failed read of the source blob it streams into the destination's
  // upload this way, precisely so that the upload step is not blamed for it.
  if (/happened during read/.test(m)) return 'source';
  // A run stopped while the source held what skopeo sent it (skopeo-stuck-side.ts).
  if (/nothing for \d+ s \(the source \S+ took none of/.test(m)) return 'source';
  const mentions = (image: string) => {
    const bare = image.replace(/^docker:\/\//, '').toLowerCase();
    return m.includes(bare.replace(/[@:][^/]*$/, ''));
  };
  if (/initializing destination|writing (blob|manifest)|uploading|pushing|trying to reuse blob|storing signatures/.test(m)) return 'destination';
  if (/initializing source|reading (manifest|blob|signatures)|parsing image name|choosing an image from manifest list|fetching blob|error reading/.test(m)) return 'source';
  const inSource = mentions(sourceImage);
  const inTarget = mentions(targetImage);
  if (inSource && !inTarget) return 'source';
  return 'destination';
}

// skopeo's last word after its manifest PUT was refused and no other format may be tried: an
// index it cannot copy unchanged, or a PUT that raced a concurrent push into the repository (seen
// once in 9 runs of three copies at once). One re-run tells them apart.
const CONVERSION_REFUSED = /we cannot modify it: "?instructed to preserve digests/;

// Manifests skopeo 1.x cannot copy unchanged (an index nested in an index, an artifact index it
// takes for an image list): the line alone would not say that the native engine copies them.
const isUncopyable = (m: string) => /unexpectedly received a manifest list instead of a manifest/.test(m) || CONVERSION_REFUSED.test(m);

// A registry (or a proxy in front) serving a manifest under a Content-Type its body disagrees with
// (application/json, an OCI body as Docker's type): skopeo 1.x parses by the header and gives up.
// regmirror's own client goes by the body and copies it byte for byte.
const isMislabelled = (m: string) => /unsupported schema version \d|unsupported docker v2s2 media type|unsupported docker v2s2 manifest list media type/.test(m);

/** Whether a failed run is the refused-conversion case (worth one re-run, not a full budget). */
export function isRefusedConversion(stderr: string): boolean {
  return CONVERSION_REFUSED.test(lastMeaningfulLine(stderr).toLowerCase());
}

// A front end refusing skopeo's request headers (nginx's large_client_header_buffers: 400 "Request
// Header Or Cookie Too Large", which skopeo cuts to 'StatusCode: 400, <html>… Request Header Or
// Cookie ...'; a 431 from others): the line alone says neither what refused nor what to change.
const HEADERS_TOO_LARGE = /request header or cookie|request header fields too large|statuscode: 431\b/;

// Apache's own 400 page ('Size of a request header field exceeds server limit', LimitRequestFieldSize)
// is cut by skopeo to its first 50 characters, its DOCTYPE: 'StatusCode: 400, <!DOCTYPE HTML PUBLIC
// "-//W3C//DTD HTML 4.01//EN" ...' (2.4.71; HTML 2.0's before). skopeo's requests are well formed: a
// header over the limit is what such a page most likely says (Apache's HTTP/2 answers 431).
const APACHE_400 = /statuscode: 400, <!doctype html public "-\/\/(w3c\/\/dtd html 4\.01|ietf\/\/dtd html 2\.0)\/\/en"/;

// A front end's own 403 page (HAProxy `http-request deny if { method PATCH }`: skopeo cuts it to
// 'StatusCode: 403, <html><body><h1>403 Forbidden</h1>; …'), where the registry answers JSON: no
// credentials would pass it. skopeo sends every blob upload as PATCH; the native engine one PUT.
const FRONT_FORBIDDEN = /statuscode: 403, <html/;

// A certificate naming its host in its subject's Common Name alone: Node (the native engine) still
// reads it there; Go, skopeo's, has not since 1.15, and every copy failed with Go's bare line.
const LEGACY_COMMON_NAME = /x509: certificate relies on legacy common name field/;

/** The advice for a certificate Go refuses for its Common Name alone. */
function commonNameOnly(host: string | undefined): string {
  const name = host ? host.replace(/:\d+$/, '') : 'its host name';
  return `the certificate of ${host ?? 'the registry'} names it in its Common Name only, which Go (skopeo's language, as docker's and containerd's) has refused since 1.15: have it reissued with ${name} in its subjectAltName, or use \`engine: native\`, which accepts it meanwhile`;
}

/** The error kind a message stands for, with the message redacted. */
export function classify(message: string, host: string | undefined): RegmirrorError {
  const text = redact(message);
  const m = text.toLowerCase();
  const raise = `raise its limit (${FRONT_HEADER_LIMITS}), or try \`engine: native\`, whose requests may fit`;
  if (HEADERS_TOO_LARGE.test(m)) return new RegmirrorError(`${text} (a proxy or load balancer in front of the registry refused skopeo's request headers as too large: ${raise})`);
  if (APACHE_400.test(m)) return new RegmirrorError(`${text} (Apache in front of the registry answered its own 400 page, most likely for a request header over its limit, the Authorization header with its token: ${raise})`);
  if (FRONT_FORBIDDEN.test(m)) {
    const patch = /uploading layer chunked/.test(m) ? ': it refused a blob upload, which skopeo sends as PATCH; `engine: native` sends a blob in one PUT (and PATCH only in chunks a body limit calls for)' : '';
    return new RegmirrorError(`${text} (a proxy or load balancer in front of the registry refused the request with its own 403 page, not the registry's answer, so credentials are not at fault; have it let the request through${patch})`);
  }
  if (LEGACY_COMMON_NAME.test(m)) return new RegmirrorError(`${text} (${commonNameOnly(host)})`);
  if (isUncopyable(m)) return new RegmirrorError(`${text} (skopeo cannot copy this manifest byte for byte; \`engine: native\` can)`);
  if (isMislabelled(m)) return new RegmirrorError(`${text} (the registry serves this manifest under a Content-Type that its body disagrees with, which skopeo goes by; \`engine: native\` reads the body and copies it byte for byte)`);
  if (/unauthorized|authentication required|invalid username\/password|denied|forbidden|\b401\b|\b403\b/.test(m)) return new AuthError(text);
  if (/manifest unknown|blob unknown|name unknown|not found|no such file or directory/.test(m)) return new NotFoundError(text);
  if (/connection refused|no such host|i\/o timeout|network is unreachable|tls handshake|connection reset/.test(m)) {
    return new UnreachableError(host ?? 'skopeo', text);
  }
  return new RegmirrorError(text);
}

// What a re-run cannot fix: refused credentials, absent content, bytes that do not match, a
// manifest or name the registry will never take, an untrusted certificate. Checked first, so a
// line naming both ("500 … unauthorized") is never retried.
const PERMANENT = /unauthorized|authentication required|invalid username\/password|denied|forbidden|\b40[134]\b|manifest unknown|blob unknown|name unknown|not found|no such file or directory|no such host|digest mismatch|digests? did not match|computed digest|checksum|does not match|manifest invalid|invalid reference|unsupported|parsing image name|x509:|certificate/;

// What may pass on a second try: a registry's 5xx or 429, a connection that broke or timed out
// (containers/image's own --retry-times does not cover a 5xx on a blob check or a reset mid-copy),
// a run stopped for moving nothing (skopeo-stillness.ts).
const TRANSIENT = /internal server error|bad gateway|service unavailable|gateway time-?out|(status|status code|http status):? 5\d\d\b|\b429\b|too many requests|toomanyrequests|connection reset|connection refused|broken pipe|unexpected eof|\beof\b|i\/o timeout|tls handshake timeout|timeout awaiting response headers|client\.timeout exceeded|goaway|stream error|use of closed network connection|server closed idle connection|read or wrote nothing for \d+ s/;

// A manifest PUT refused for a blob this very run pushed (or found) just before. distribution 2.8's
// filesystem storage rewrites a repository's blob link in place (truncate, then write; later
// releases write a temporary file and rename it), so a manifest PUT racing another copy into the
// same repository can read a link empty: "digest invalid / manifest blob unknown". A re-run checks
// and pushes the blobs again; a blob that is really missing is pushed then, too.
const RACED_MANIFEST = /uploading manifest .*manifest blob unknown/;

/**
 * Whether a failed skopeo run is worth running again: a 5xx, a 429, a connection-level failure
 * or a manifest PUT that raced a concurrent push, and never an auth, not-found, digest or
 * validation error.
 */
export function isTransientFailure(stderr: string): boolean {
  // Query strings (upload states, ?digest=) are opaque: a "401" inside one means nothing.
  const m = lastMeaningfulLine(stderr).toLowerCase().replace(/\?\S*/g, '');
  if (RACED_MANIFEST.test(m) && !/unauthorized|denied|forbidden/.test(m)) return true;
  if (!m || PERMANENT.test(m)) return false;
  return TRANSIENT.test(m);
}

// skopeo before containers/image took bracketed IPv6 hosts in references (1.9 in Debian 12)
// refuses `docker://[::1]:5000/…` before any request; the address the reference named.
const IPV6_REFUSED = /^invalid (?:source|destination) name docker:\/\/(\[[0-9a-f:.]+\](?::\d+)?)\/\S*: invalid reference format$/i;

/** The CopyError for a skopeo run that exited non-zero. */
export function copyErrorFrom(req: SkopeoCopyRequest, stderr: string, exit: string, images: { source: string; target: string }): CopyError {
  // An upload URL's query (distribution's sealed `_state`, hundreds of characters) tells a person nothing.
  const line = lastMeaningfulLine(stderr).replace(/(\/blobs\/uploads\/[^\s"?]*)\?[^\s"]*/g, '$1') || `skopeo exited with ${exit}`;
  // Stopped for moving nothing, no side told (skopeo-stuck-side.ts): neither is claimed.
  if (stillWithNoSide(line)) return new EitherSideCopyError(formatRepository(req.source), formatRepository(req.target), classify(`skopeo: ${line}`, undefined));
  const origin = guessOrigin(line, images.source, images.target);
  const repo = origin === 'source' ? req.source : req.target;
  const refused = origin === 'destination' ? pushRefusal(req, redact(line)) : blobForbiddenAtSource(`skopeo: ${redact(line)}`);
  if (refused) return new CopyError(origin, formatRepository(repo), refused);
  const host = repo.scheme === 'registry' ? repo.registry : undefined;
  const ipv6 = IPV6_REFUSED.exec(line);
  if (ipv6) {
    // A registry named otherwise got the address from its endpoint: setting one is not the way out, changing it is.
    const way = host && host !== ipv6[1] ? `, which the \`endpoint\` under registries: ${host} gives; use \`engine: native\` for it, or give that endpoint a host name that leads there`
      : `; use \`engine: native\` for it, or reach it by a host name (\`endpoint\` under registries: ${host ?? ipv6[1]})`;
    return new CopyError(origin, formatRepository(repo), new RegmirrorError(`skopeo: ${redact(line)} (this skopeo cannot name the IPv6 address ${ipv6[1]} in an image reference${way})`));
  }
  const cause = classify(`skopeo: ${line}`, host);
  // What the native engine says for the same refusal: whose credentials, and what they must allow.
  if (cause instanceof AuthError && repo.scheme === 'registry') {
    const may = origin === 'destination' ? 'push to' : 'pull from';
    return new CopyError(origin, formatRepository(repo), new AuthError(`${cause.message}: check that the credentials used for ${repo.registry} (registries.${repo.registry}.credentials or docker login) may ${may} ${repo.repository}`));
  }
  return new CopyError(origin, formatRepository(repo), cause);
}
