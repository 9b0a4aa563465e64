// The release workload: repositories × tags × platforms, each platform image = config + a base
// layer shared by every image of that platform (like distroless) + its own layer, plus a cosign
// `.sig` tag per release tag. Sizes come from the environment so a quick run is possible.
import pLimit from 'p-limit';
import { MT, PLATFORMS, blob, imageConfig, imageManifest, jsonBlob, randomBytes, sigTag } from './content.mjs';
import { mountBlob, pushBlob, pushManifest } from './push.mjs';

export const REPOS = ['cert-manager-controller', 'cert-manager-webhook', 'cert-manager-cainjector', 'cert-manager-acmesolver', 'cert-manager-startupapicheck'];

/** The workload's shape from BENCH_* variables (BENCH_SCALE multiplies the tag count). */
export function workloadFromEnv(env = process.env) {
  const scale = Number(env.BENCH_SCALE ?? 1);
  return {
    repos: REPOS.slice(0, Number(env.BENCH_REPOS ?? 5)),
    tags: Math.max(1, Math.round(Number(env.BENCH_TAGS ?? 20) * scale)),
    platforms: Number(env.BENCH_PLATFORMS ?? 5),
    layerBytes: Number(env.BENCH_LAYER_KB ?? 256) * 1024,
    baseBytes: Number(env.BENCH_BASE_KB ?? 2048) * 1024,
  };
}

/** Release tags v1.10.0, v1.10.1, … (four patches per minor). */
export function tagNames(count) {
  return Array.from({ length: count }, (_, i) => `v1.${10 + Math.floor(i / 4)}.${i % 4}`);
}

/** Pushes the workload under `jetstack/` of the registry; returns what a checker needs. */
export async function seedWorkload(reg, w) {
  const limit = pLimit(16);
  const blobs = new Map(); // digest -> size, every distinct blob of the source
  const images = []; // { repo, tag, digest }
  const signatures = []; // the cosign tags, same shape
  const platforms = PLATFORMS.slice(0, w.platforms);
  const bases = platforms.map((p, i) => blob(MT.layer, randomBytes(`base/${i}`, w.baseBytes)));
  const first = `jetstack/${w.repos[0]}`;
  await Promise.all(bases.map((b) => limit(() => pushBlob(reg.url, first, b))));
  for (const b of bases) blobs.set(b.desc.digest, b.desc.size);
  await Promise.all(w.repos.slice(1).flatMap((r) => bases.map((b) => limit(() => mountBlob(reg.url, `jetstack/${r}`, first, b.desc.digest)))));

  // Images are built a few at a time so the workload never sits in memory whole.
  const building = pLimit(4);
  await Promise.all(w.repos.flatMap((name) => tagNames(w.tags).map((tag) => building(async () => {
    const repo = `jetstack/${name}`;
    const children = platforms.map((p, i) => {
      const own = blob(MT.layer, randomBytes(`${repo}:${tag}/${i}`, w.layerBytes));
      const config = imageConfig(p, [bases[i], own], `${repo}:${tag}`);
      return { own, config, manifest: imageManifest(config, [bases[i], own], { platform: p }) };
    });
    const index = jsonBlob(MT.index, { schemaVersion: 2, mediaType: MT.index, manifests: children.map((c) => c.manifest.desc) });
    const payload = blob(MT.cosignPayload, Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': repo }, image: { 'docker-manifest-digest': index.desc.digest }, type: 'cosign container image signature' }, optional: null })), {
      annotations: { 'dev.cosignproject.cosign/signature': randomBytes(`sig/${repo}:${tag}`, 48).toString('base64') },
    });
    const sigConfig = jsonBlob(MT.config, { architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [payload.desc.digest] } });
    const sig = imageManifest(sigConfig, [payload]);
    const own = [...children.flatMap((c) => [c.own, c.config]), payload, sigConfig];
    await Promise.all(own.map((b) => limit(() => pushBlob(reg.url, repo, b))));
    for (const b of own) blobs.set(b.desc.digest, b.desc.size);
    await Promise.all(children.map((c) => limit(() => pushManifest(reg.url, repo, c.manifest.desc.digest, c.manifest))));
    await limit(() => pushManifest(reg.url, repo, tag, index));
    await limit(() => pushManifest(reg.url, repo, sigTag(index.desc.digest), sig));
    images.push({ repo: name, tag, digest: index.desc.digest });
    signatures.push({ repo: name, tag: sigTag(index.desc.digest), digest: sig.desc.digest });
  }))));
  return { blobs, images, signatures, bytes: [...blobs.values()].reduce((a, b) => a + b, 0) };
}
