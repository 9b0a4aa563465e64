// The OCI 1.1 referrers API (distribution-spec "Listing referrers") added in front of a registry
// that lacks it (distribution 2.8). Every manifest of the repository is found on the upstream's
// disk (`_manifests/revisions`), whether pushed through this proxy or seeded straight upstream,
// and read once through the upstream API; those whose `subject` is the digest asked for are
// listed. A manifest PUT with a `subject` is answered with `OCI-Subject`, as a 1.1 registry does.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exchange, Personality } from '../fault-proxy.js';
import { answer, clientHeaders, relay, routeOf, MANIFEST_ACCEPT } from './common.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

interface Referrer { mediaType: string; digest: string; size: number; artifactType?: string; annotations?: Record<string, string> }
interface Parsed { mediaType?: string; artifactType?: string; config?: { mediaType?: string }; subject?: { digest?: string }; annotations?: Record<string, string> }

/** Counters a test can assert on. */
export interface ReferrersApiStats { lists: number; listed: number; subjectsAnswered: number }

/** A referrers-API personality over the upstream whose storage is at `dataDir`. */
export function referrersApi(dataDir: string): { play: Personality; stats: ReferrersApiStats } {
  const stats: ReferrersApiStats = { lists: 0, listed: 0, subjectsAnswered: 0 };
  const known = new Map<string, Referrer & { subject?: string }>(); // by repository@digest; manifests never change
  const play: Personality = async (ex) => {
    const route = routeOf(ex.path);
    if (route?.resource === 'manifests' && ex.method === 'PUT') return putWithSubject(ex, stats);
    if (route?.resource !== 'referrers' || ex.method !== 'GET') return false;
    const dir = join(dataDir, 'docker/registry/v2/repositories', route.repository, '_manifests/revisions/sha256');
    const hexes = await readdir(dir).catch(() => undefined);
    if (!hexes) {
      ex.fail(404, 'NAME_UNKNOWN', 'repository name not known to registry');
      return true;
    }
    const manifests: Referrer[] = [];
    for (const hex of hexes) {
      const key = `${route.repository}@sha256:${hex}`;
      let entry = known.get(key);
      if (!entry) {
        const reply = await ex.fetch('GET', `/v2/${route.repository}/manifests/sha256:${hex}`, clientHeaders(ex, { accept: MANIFEST_ACCEPT }));
        if (reply.status !== 200) continue; // deleted since, or not ours to read
        const m = JSON.parse(reply.body.toString('utf8')) as Parsed;
        entry = {
          mediaType: m.mediaType ?? String(reply.headers['content-type']), digest: `sha256:${hex}`, size: reply.body.length,
          artifactType: m.artifactType ?? m.config?.mediaType, annotations: m.annotations, subject: m.subject?.digest,
        };
        known.set(key, entry);
      }
      if (entry.subject !== route.ref) continue;
      const { subject: _subject, ...descriptor } = entry;
      manifests.push(descriptor);
    }
    const wanted = route.query.get('artifactType');
    const listed = wanted ? manifests.filter((m) => m.artifactType === wanted) : manifests;
    stats.lists++;
    stats.listed += listed.length;
    const headers: Record<string, string> = { 'content-type': OCI_INDEX };
    if (wanted) headers['oci-filters-applied'] = 'artifactType';
    answer(ex, 200, headers, JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: listed }));
    return true;
  };
  return { play, stats };
}

async function putWithSubject(ex: Exchange, stats: ReferrersApiStats): Promise<boolean> {
  const body = await ex.readBody();
  let subject: string | undefined;
  try {
    subject = (JSON.parse(body.toString('utf8')) as Parsed).subject?.digest;
  } catch {
    // not JSON: the upstream judges it
  }
  const headers = clientHeaders(ex, { 'content-type': ex.req.headers['content-type'] ?? '', 'content-length': String(body.length) });
  const reply = await ex.fetch('PUT', ex.path, headers, body);
  if (subject && reply.status === 201) stats.subjectsAnswered++;
  relay(ex, reply, subject && reply.status === 201 ? { 'oci-subject': subject } : {});
  return true;
}
