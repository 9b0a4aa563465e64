// One single-platform image whose layer is BENCH_LARGE_MB (default 1 GiB), generated and pushed
// as a stream: neither this process nor the registry ever holds the layer in memory.
import { MT, PLATFORMS, imageConfig, imageManifest, randomStream } from './content.mjs';
import { pushBlob, pushManifest, pushStreamedBlob } from './push.mjs';

/** Pushes `jetstack/<name>:v1.0.0` with one large layer; returns { digest, layerBytes }. */
export async function seedLargeImage(reg, name, megabytes) {
  const repo = `jetstack/${name}`;
  const size = megabytes * 1024 * 1024;
  const layer = await pushStreamedBlob(reg.url, repo, randomStream(`large/${megabytes}`, size));
  const layerBlob = { desc: { mediaType: MT.layer, digest: layer.digest, size: layer.size } };
  const config = imageConfig(PLATFORMS[0], [layerBlob], repo);
  await pushBlob(reg.url, repo, config);
  const manifest = imageManifest(config, [layerBlob]);
  await pushManifest(reg.url, repo, 'v1.0.0', manifest);
  return { digest: manifest.desc.digest, layerBytes: size };
}
