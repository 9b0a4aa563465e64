// Drift made by hand with raw HTTP (the distribution API, not regmirror), the way drift happens
// in real life: someone retags an image at one registry, a signature disappears at another.
import { fetch } from 'undici';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

function headers(registry, extra = {}) {
  const h = { accept: ACCEPT, ...extra };
  if (registry.user) h.authorization = `Basic ${Buffer.from(`${registry.user}:${registry.password}`).toString('base64')}`;
  return h;
}

async function expectStatus(res, ok, what) {
  if (res.status !== ok) throw new Error(`${what}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
}

/** The manifest bytes, media type and digest behind `repo:ref`. */
export async function getManifest(registry, repo, ref) {
  const res = await fetch(`${registry.url}/v2/${repo}/manifests/${ref}`, { dispatcher: registry.dispatcher, headers: headers(registry) });
  await expectStatus(res, 200, `GET ${repo}:${ref}`);
  return { bytes: Buffer.from(await res.arrayBuffer()), mediaType: res.headers.get('content-type'), digest: res.headers.get('docker-content-digest') };
}

/** Points `repo:tag` at whatever `repo:fromTag` is (PUT the same manifest bytes under the other tag). */
export async function retag(registry, repo, fromTag, tag) {
  const { bytes, mediaType, digest } = await getManifest(registry, repo, fromTag);
  const res = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, { dispatcher: registry.dispatcher,
    method: 'PUT', headers: headers(registry, { 'content-type': mediaType }), body: bytes,
  });
  await expectStatus(res, 201, `PUT ${repo}:${tag}`);
  return digest;
}

/** Deletes the cosign signature of `repo:tag` (DELETE by digest also drops its sha256-HEX.sig tag). */
export async function deleteSignature(registry, repo, tag) {
  const { digest } = await getManifest(registry, repo, tag);
  const sigTag = `sha256-${digest.slice('sha256:'.length)}.sig`;
  const sig = await getManifest(registry, repo, sigTag);
  const res = await fetch(`${registry.url}/v2/${repo}/manifests/${sig.digest}`, { dispatcher: registry.dispatcher, method: 'DELETE', headers: headers(registry) });
  await expectStatus(res, 202, `DELETE ${repo}@${sig.digest}`);
  return sigTag;
}
