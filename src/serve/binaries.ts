// `/<binary>/<tag>/<file>` → 307 to the release file: the item's `urls` entry whose file name is
// the one asked for, else the file's layer in the OCI artifact `publish` pushed to a backend.
import type { GatewayBinary } from '../config/model.js';
import { NotFoundError } from '../types/errors.js';
import { parseManifest } from '../types/mediatype.js';
import { TITLE_ANNOTATION } from '../types/descriptor.js';
import type { BackendPool } from './backends.js';
import { absentEverywhere } from './backend-failures.js';
import type { AnonymousMemory } from './anonymous.js';
import { serveBlob, type BlobAnswer, NoBlob } from './blobs.js';

/** The URL among `urls` (with {tag}) whose last path segment is `file`. */
export function urlForFile(urls: string[], tag: string, file: string): string | undefined {
  for (const template of urls) {
    const url = template.replaceAll('{tag}', tag);
    if (new URL(url).pathname.split('/').pop() === file) return url;
  }
  return undefined;
}

/** Finds the release file; NoBlob when neither a URL nor an artifact has it. */
export async function serveBinary(pool: BackendPool, binary: GatewayBinary, tag: string, file: string, anonymous: AnonymousMemory): Promise<BlobAnswer> {
  const direct = urlForFile(binary.item.urls, tag, file);
  if (direct) return { kind: 'redirect', location: direct, backend: new URL(direct).host };
  const backends = pool.backends(binary.backends);
  const found = await pool.first(backends, async (b, signal) => {
    const m = await b.repo.fetchManifest(tag, { signal });
    const layer = parseManifest(m.bytes, m.descriptor.mediaType).blobs.find((d) => d.annotations?.[TITLE_ANNOTATION] === file);
    if (!layer) throw new NotFoundError(`${b.host}: ${binary.item.name}:${tag} has no file ${file}`);
    return { backend: b, digest: layer.digest };
  });
  if (!found.ok) throw new NoBlob(absentEverywhere(found.errors) ? 404 : 503);
  const { backend, digest } = found.value;
  return serveBlob(pool, [backend, ...backends.filter((b) => b !== backend)], digest, anonymous);
}
