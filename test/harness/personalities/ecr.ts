// Amazon ECR's push behaviour, as AWS documents it and as containerd, crane and regclient issues
// report it: a cross-repository mount answers 202 with an upload session (never 201); PATCH
// answers 201; upload parts must be at least 5 MiB except the last; the Range of upload
// responses stops advancing after the first part; manifest responses carry no
// Docker-Content-Digest; repositories are not created on push (NAME_UNKNOWN); a read of a
// repository that does not exist answers 404 NAME_UNKNOWN in ECR's words ("The repository with
// name 'X' does not exist in the registry with id 'N'", as `docker pull` prints it); and with
// IMMUTABLE tags a tag that exists cannot be PUT again, not even with the same digest.
import type { Personality } from '../fault-proxy.js';
import { ALL_MANIFEST_TYPES } from '../seed.js';
import { apiPath, passOn, relay } from './upstream-reply.js';

/** ECR's minimum upload part (all but the last). */
export const ECR_MIN_PART = 5 * 1024 * 1024;

/** `repositories`: those that exist (default: all); `immutableTags` default true. */
export interface EcrOptions {
  repositories?: string[];
  immutableTags?: boolean;
  /**
   * false: reads of a repository that does not exist pass through to distribution (its own
   * NAME_UNKNOWN), so the first refusal in ECR's words is a write's: a repository deleted after the
   * run listed it. Default true, as ECR answers.
   */
  answerAbsentReads?: boolean;
}

/** What the personality did, for assertions. */
export interface EcrStats {
  mountsAnsweredWithSession: number;
  patches: number;
  shortPartsRefused: number;
  tagPutsRefused: number;
  nameUnknown: string[];
  /** Reads (tag lists, manifests, blobs) of repositories that do not exist, answered NAME_UNKNOWN. */
  absentReads: string[];
  manifestAnswersWithoutDigest: number;
}

/** The personality; `create(name)` makes a repository exist (as `aws ecr create-repository` would). */
export function ecr(opts: EcrOptions = {}): { personality: Personality; stats: EcrStats; create(name: string): void } {
  const repositories = opts.repositories ? new Set(opts.repositories) : undefined;
  const immutable = opts.immutableTags ?? true;
  const stats: EcrStats = { mountsAnsweredWithSession: 0, patches: 0, shortPartsRefused: 0, tagPutsRefused: 0, nameUnknown: [], absentReads: [], manifestAnswersWithoutDigest: 0 };
  const sessions = new Map<string, { parts: number[]; range?: string }>();

  const personality: Personality = async (ex) => {
    const p = apiPath(ex.path);
    if (!p) return false;
    const write = (ex.method === 'POST' && p.kind === 'uploads') || (ex.method === 'PUT' && p.kind === 'manifests');
    if (write && repositories && !repositories.has(p.name)) {
      await ex.readBody();
      stats.nameUnknown.push(p.name);
      ex.fail(404, 'NAME_UNKNOWN', absent(p.name));
      return true;
    }
    if ((ex.method === 'GET' || ex.method === 'HEAD') && repositories && !repositories.has(p.name) && opts.answerAbsentReads !== false) {
      stats.absentReads.push(`${ex.method} ${ex.path}`);
      ex.fail(404, 'NAME_UNKNOWN', absent(p.name));
      return true;
    }
    if (ex.method === 'POST' && p.kind === 'uploads' && p.query.has('mount')) {
      stats.mountsAnsweredWithSession++;
      relay(ex, await ex.fetch('POST', `/v2/${p.name}/blobs/uploads/`, { ...passOn(ex), 'content-length': '0' }));
      return true;
    }
    if (ex.method === 'PATCH' && p.kind === 'uploads') {
      const body = await ex.readBody();
      const session = sessions.get(p.rest) ?? { parts: [] };
      const previous = session.parts.at(-1);
      if (previous !== undefined && previous < ECR_MIN_PART) {
        stats.shortPartsRefused++;
        ex.fail(400, 'BLOB_UPLOAD_INVALID', `upload part ${session.parts.length} was ${previous} bytes; parts must be at least ${ECR_MIN_PART} bytes except the last`);
        return true;
      }
      const reply = await ex.fetch('PATCH', ex.path, { ...passOn(ex), 'content-length': String(body.byteLength) }, body);
      if (reply.status !== 202) {
        relay(ex, reply);
        return true;
      }
      stats.patches++;
      session.parts.push(body.byteLength);
      session.range ??= String(reply.headers.range ?? ''); // never advances past the first part
      sessions.set(p.rest, session);
      relay(ex, reply, { status: 201, set: { range: session.range } });
      return true;
    }
    if (p.kind !== 'manifests') return false;
    if (ex.method === 'PUT' && immutable && !p.rest.startsWith('sha256:')) {
      const head = await ex.fetch('HEAD', `/v2/${p.name}/manifests/${p.rest}`, { ...passOn(ex), accept: ALL_MANIFEST_TYPES });
      if (head.status === 200) {
        await ex.readBody();
        stats.tagPutsRefused++;
        ex.fail(400, 'TAG_INVALID', `The image tag '${p.rest}' already exists in the '${p.name}' repository and cannot be overwritten because the repository is immutable.`);
        return true;
      }
    }
    const body = ex.method === 'PUT' ? await ex.readBody() : undefined;
    const headers = { ...passOn(ex), ...(body ? { 'content-length': String(body.byteLength) } : {}) };
    relay(ex, await ex.fetch(ex.method, ex.path, headers, body), { drop: ['docker-content-digest'] });
    stats.manifestAnswersWithoutDigest++;
    return true;
  };
  return { personality, stats, create: (name) => repositories?.add(name) };
}

/** ECR's RepositoryNotFoundException message, as its registry API says it with NAME_UNKNOWN. */
function absent(name: string): string {
  return `The repository with name '${name}' does not exist in the registry with id '123456789012'`;
}
