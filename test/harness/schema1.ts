// Docker schema 1 manifests as distribution keeps them, for the personalities of the tests about
// old tags: a payload named by its own digest, served signed anew on every GET (`v1+prettyjws`),
// so the bytes a client reads never hash to the digest the registry says.
import { createHash, randomBytes } from 'node:crypto';
import type { Exchange } from './fault-proxy.js';

export const SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';

/** A schema 1 manifest of `name:tag`: its payload and the digest distribution names it by. */
export function schemaOneManifest(name: string, tag: string): { payload: string; digest: string } {
  const payload = JSON.stringify({ schemaVersion: 1, name, tag, architecture: 'amd64', fsLayers: [], history: [] }, null, 3);
  return { payload, digest: `sha256:${createHash('sha256').update(payload).digest('hex')}` };
}

/** Answers the exchange (GET or HEAD) with the manifest as `type`: a fresh signature per GET when signed. */
export function serveSchemaOne(ex: Exchange, manifest: { payload: string; digest: string }, type = SCHEMA1_SIGNED): true {
  const { payload, digest } = manifest;
  const body = type.endsWith('prettyjws') ? `${payload.slice(0, -2)},\n   "signatures": [{"signature": "${randomBytes(32).toString('base64url')}"}]\n}` : payload;
  ex.entry.status = 200;
  ex.res.writeHead(200, { 'content-type': type, 'docker-content-digest': digest, 'content-length': Buffer.byteLength(body) });
  ex.res.end(ex.method === 'HEAD' ? undefined : body);
  return true;
}
