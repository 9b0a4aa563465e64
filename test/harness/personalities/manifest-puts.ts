// Counts manifest PUTs as the registry received them: which repository, which reference (tag or
// digest), the sha256 of the bytes (a PUT by tag names no digest in its path), which client sent
// it, and when it began and ended relative to every other, so a test can say that no manifest
// was PUT twice at once, or by two copiers.
import { createHash } from 'node:crypto';
import type { Personality } from '../fault-proxy.js';
import { routeOf } from './common.js';
import { passOn, relay } from './upstream-reply.js';

/** One manifest PUT; `began`/`ended` are places in the order of all PUT arrivals and answers. */
export interface ManifestPut { repository: string; reference: string; digest: string; client: 'skopeo' | 'regmirror'; status: number; began: number; ended: number }

/**
 * A pass-through personality recording every manifest PUT. `holdMs` keeps each PUT that long
 * before passing it on: a registry slower to store a manifest, so that PUTs racing each other
 * are in flight together (nothing asserts on time).
 */
export function manifestPuts(opts: { holdMs?: number } = {}): { personality: Personality; puts: ManifestPut[] } {
  const puts: ManifestPut[] = [];
  let clock = 0;
  const personality: Personality = async (ex) => {
    const route = routeOf(ex.path);
    if (ex.method !== 'PUT' || route?.resource !== 'manifests') return false;
    const began = ++clock;
    const body = await ex.readBody();
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const put: ManifestPut = { repository: route.repository, reference: route.ref, digest, client: clientOf(ex.req.headers['user-agent']), status: 0, began, ended: Infinity };
    puts.push(put);
    if (opts.holdMs) await new Promise((resolve) => setTimeout(resolve, opts.holdMs));
    const reply = await ex.fetch('PUT', ex.path, { ...passOn(ex), 'content-length': String(body.byteLength) }, body);
    put.status = reply.status;
    put.ended = ++clock;
    relay(ex, reply);
    return true;
  };
  return { personality, puts };
}

/** Pairs of PUTs of one manifest into one repository that were in flight at the same time. */
export function overlappingPuts(puts: ManifestPut[]): string[] {
  const out: string[] = [];
  puts.forEach((a, i) => {
    for (const b of puts.slice(i + 1)) {
      if (a.repository !== b.repository || a.digest !== b.digest) continue;
      if (a.began < b.ended && b.began < a.ended) out.push(`${a.repository}@${a.digest}: ${a.client} as ${a.reference} and ${b.client} as ${b.reference}`);
    }
  });
  return out;
}

// containers/image, skopeo's library, says `containers/5.x (github.com/containers/image)`.
function clientOf(userAgent: string | undefined): ManifestPut['client'] {
  return /containers\/|skopeo/i.test(userAgent ?? '') ? 'skopeo' : 'regmirror';
}
