// Raw distribution-API pushes with Node's fetch (keep-alive), independent of regmirror's client
// so the workload is built the same way whatever the code under test does.
import { request } from 'node:http';
import { createHash } from 'node:crypto';

async function ok(res, expected, what) {
  if (res.status === expected) return res.arrayBuffer();
  throw new Error(`seed: ${what} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
}

/** Uploads bytes as one monolithic PUT. */
export async function pushBlob(base, repo, b) {
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await ok(start, 202, `POST ${repo}`);
  const loc = new URL(start.headers.get('location'), base);
  loc.searchParams.set('digest', b.desc.digest);
  const put = await fetch(loc, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: b.bytes });
  await ok(put, 201, `PUT blob ${b.desc.digest} to ${repo}`);
}

/** Mounts a blob from another repository of the same registry (true when mounted). */
export async function mountBlob(base, repo, from, digest) {
  const res = await fetch(`${base}/v2/${repo}/blobs/uploads/?mount=${digest}&from=${from}`, { method: 'POST' });
  await res.arrayBuffer();
  return res.status === 201;
}

/** PUTs a manifest under a tag or its digest. */
export async function pushManifest(base, repo, ref, m) {
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: 'PUT', headers: { 'content-type': m.desc.mediaType }, body: m.bytes });
  await ok(res, 201, `PUT manifest ${repo}:${ref}`);
}

/**
 * Streams `source` (of unknown digest) into a blob: one PATCH carrying the whole stream while its
 * sha256 is computed, then PUT ?digest=. Returns { digest, size }. Memory stays at one chunk.
 */
export async function pushStreamedBlob(base, repo, source) {
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await ok(start, 202, `POST ${repo}`);
  const hash = createHash('sha256');
  let size = 0;
  const location = await new Promise((resolve, reject) => {
    const req = request(new URL(start.headers.get('location'), base), { method: 'PATCH', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === 202 ? resolve(res.headers.location) : reject(new Error(`seed: PATCH answered ${res.statusCode}`))));
    });
    req.once('error', reject);
    source.on('data', (chunk) => {
      hash.update(chunk);
      size += chunk.length;
      if (!req.write(chunk)) {
        source.pause();
        req.once('drain', () => source.resume());
      }
    });
    source.once('end', () => req.end());
    source.once('error', reject);
  });
  const digest = `sha256:${hash.digest('hex')}`;
  const put = new URL(location, base);
  put.searchParams.set('digest', digest);
  await ok(await fetch(put, { method: 'PUT' }), 201, `PUT ${repo} ${digest}`);
  return { digest, size };
}
