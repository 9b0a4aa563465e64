// A manifest request: served from the backends (or the cache) as proven against the record, as the
// client's Accept allows, and attributed to a release. Apart from the route's other answers
// (handler.ts), as the one that refuses drifted tags and counts pulls.
import type { ServerResponse } from 'node:http';
import { isIndexType } from '../types/mediatype.js';
import type { Ev } from './events.js';
import type { Gateway } from './gateway.js';
import { NoManifest, serveManifest, Unpublished } from './manifests.js';
import { negotiate } from './negotiate.js';
import { deny, fail, send, unavailable } from './respond.js';
import { recordedTag } from './record.js';

export async function manifest(gw: Gateway, name: string, reference: string, method: string, key: string, res: ServerResponse, ev: Ev, accepts?: Set<string>): Promise<Ev> {
  const image = gw.settings.images.find((i) => i.path === name);
  if (!image) return { ...ev, status: fail(res, 404, 'NAME_UNKNOWN', `repository ${name} is not served here`) };
  const byTag = !reference.startsWith('sha256:') && !reference.startsWith('sha512:');
  const base: Ev = { ...ev, image: name, tag: byTag ? reference : '', kind: 'check' };
  let a;
  try {
    a = await serveManifest(gw.manifestDeps(), image, reference);
    // What this client can read (its Accept), decided as distribution does, once the tag's digest is proven.
    const offer = negotiate(accepts, a.manifest, byTag);
    if ('refuse' in offer) return { ...base, digest: a.manifest.digest, mediaType: a.manifest.mediaType, backend: a.backend, status: fail(res, 404, 'MANIFEST_UNKNOWN', offer.refuse) };
    if ('platform' in offer) a = await serveManifest(gw.manifestDeps(), image, offer.platform);
  } catch (e) {
    if (!(e instanceof NoManifest)) throw e;
    // A tag every backend holds at another digest than the record is refused, not unknown (403).
    if (e.drift) {
      gw.driftedEverywhere(name, reference, e.drift);
      return { ...base, status: deny(res, `${name}:${reference} is not served: every backend that has it holds another digest than the recorded ${e.drift.expected}`) };
    }
    // The backends are not asked for a tag the source says does not exist: "unknown to every
    // backend" would be untrue where a mirror has it.
    const why = e instanceof Unpublished ? 'is not published: the source has no such tag, and none is recorded' : 'is unknown to every backend';
    return { ...base, status: e.status === 404 ? fail(res, 404, 'MANIFEST_UNKNOWN', `${name}:${reference} ${why}`) : unavailable(res) };
  }
  const m = a.manifest;
  // A release pinned by digest is attributed to the tag the record names that digest under.
  const tag = byTag ? reference : recordedTag(gw.lock, image.item.sourceText, m.digest);
  const who = gw.attributor.attribute({ client: key, method, image: name, ...(tag ? { tag } : {}), digest: m.digest, isIndex: isIndexType(m.mediaType), ...(a.children ? { children: a.children } : {}) }, gw.now());
  const status = send(res, 200, {
    'content-type': m.mediaType, 'docker-content-digest': m.digest, etag: `"${m.digest}"`, 'content-length': String(m.bytes.byteLength),
    'docker-distribution-api-version': 'registry/2.0',
  }, method === 'HEAD' ? undefined : m.bytes);
  return {
    ...base, tag: who.tag, digest: m.digest, mediaType: m.mediaType, kind: who.kind, backend: a.backend, status,
    ...(who.repeat ? { repeat: true } : {}), ...(a.cache ? { cache: a.cache } : {}),
  };
}
