// Which request is which (SPEC.md "Gateway"): the distribution API's read routes, the binary
// downloads, and the gateway's own pages. Pure: a method and a URL path in, a route out.
import { isDigest } from '../types/digest.js';
import { isValidRepositoryPath, isValidTag } from '../types/reference.js';

/** What a request asks for. */
export type Route =
  | { kind: 'base' }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'tags'; name: string }
  | { kind: 'binary'; name: string; tag: string; file: string }
  | { kind: 'metrics' | 'stats' | 'healthz' | 'ready' }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

const PAGES: Record<string, Route> = {
  '/metrics': { kind: 'metrics' },
  '/-/stats': { kind: 'stats' },
  '/-/healthz': { kind: 'healthz' },
  '/-/ready': { kind: 'ready' },
};

// A file name, never `.` or `..` (the 307 target is built from it).
const FILE = /^(?!\.{1,2}$)[A-Za-z0-9._+-]{1,255}$/;

/** Routes a request; only GET and HEAD exist (the gateway is read-only). */
export function route(method: string, rawPath: string): Route {
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'method-not-allowed' };
  const path = rawPath.split('?')[0]!;
  const page = PAGES[path];
  if (page) return page;
  if (path === '/v2' || path === '/v2/') return { kind: 'base' };
  if (path.startsWith('/v2/')) return apiRoute(path.slice(4));
  return binaryRoute(path, method);
}

function apiRoute(rest: string): Route {
  const tags = /^(.+)\/tags\/list$/.exec(rest);
  if (tags && isValidRepositoryPath(tags[1]!)) return { kind: 'tags', name: tags[1]! };
  const m = /^(.+)\/(manifests|blobs)\/([^/]+)$/.exec(rest);
  if (!m || !isValidRepositoryPath(m[1]!)) return { kind: 'not-found' };
  const [, name, what, ref] = m as unknown as [string, string, string, string];
  if (what === 'blobs') return isDigest(ref) ? { kind: 'blob', name, digest: ref } : { kind: 'not-found' };
  return isDigest(ref) || isValidTag(ref) ? { kind: 'manifest', name, reference: ref } : { kind: 'not-found' };
}

// `/<binary>/<tag>/<file>`: the binary's name may itself hold slashes (charts/x), so the last two
// segments are tag and file.
function binaryRoute(path: string, method: string): Route {
  const parts = path.split('/').slice(1);
  if (parts.length < 3) return { kind: 'not-found' };
  const file = decoded(parts.pop()!);
  const tag = parts.pop()!;
  const name = parts.join('/');
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'method-not-allowed' };
  if (file === undefined || !isValidRepositoryPath(name) || !isValidTag(tag) || !FILE.test(file)) return { kind: 'not-found' };
  return { kind: 'binary', name, tag, file };
}

// A broken percent escape (`%zz`) is a name nothing serves, not the gateway's error (it was a 500).
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
