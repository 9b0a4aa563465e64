// engine: skopeo (SPEC "Engines and layouts"): one `skopeo copy --all --preserve-digests` per
// (source tag → target repository). Planning, tag rules, conflicts and verification stay
// regmirror's own; this only moves bytes (running a copy again after a transient failure), then
// checks that what skopeo pushed is the pinned digest.
// Each run of skopeo is skopeo-run.ts's; running a failed copy again, skopeo-reruns.ts's.
import { mkdir } from 'node:fs/promises';
import { AbortedError, CopyError, DigestMismatchError } from '../types/errors.js';
import { formatRepository } from '../types/reference.js';
import { silentLogger, type Logger } from '../ui/log.js';
import { sourceImage, targetImage, type SkopeoCopyRequest } from './skopeo-args.js';
import { checkSkopeoSource } from './skopeo-layout.js';
import type { SkopeoEngineOptions } from './skopeo-options.js';
import { SkopeoReruns } from './skopeo-reruns.js';
import { SkopeoRunner } from './skopeo-run.js';
import { readIndex, tagEntry, withIndexLock } from '../content/layout/index-file.js';

export type { SkopeoCopyRequest } from './skopeo-args.js';
export { skopeoArgs } from './skopeo-args.js';
export type { SkopeoEngineOptions } from './skopeo-options.js';

/** Copies images by running skopeo, with credentials in private auth files, never in argv. */
export class SkopeoEngine {
  private readonly logger: Logger;
  private readonly runner: SkopeoRunner;
  private readonly reruns: SkopeoReruns;

  constructor(private readonly opts: SkopeoEngineOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.runner = new SkopeoRunner(opts, this.logger);
    this.reruns = new SkopeoReruns(this.runner, opts, this.logger);
  }

  /** Checks once that skopeo runs; a UsageError naming the apt package when missing (skopeo-run.ts). */
  available(): Promise<void> {
    return this.runner.available();
  }

  /** Copies `source@digest` to `target:tag`, every platform, digests preserved. */
  async copy(req: SkopeoCopyRequest): Promise<void> {
    await this.available();
    if (req.signal?.aborted) throw new AbortedError('interrupted');
    await checkSkopeoSource(req.source, req.tag, req.digest);
    // skopeo creates the layout directory but not its parents (`oci:DIR/<name>` under a new DIR).
    if (req.target.scheme === 'oci') await mkdir(req.target.dir, { recursive: true });
    const images = { source: sourceImage(req, this.opts), target: targetImage(req, this.opts) };
    this.logger.debug(`engine skopeo: ${images.source} → ${images.target}`);
    if (req.target.scheme !== 'oci') return this.reruns.copyRetried(req, images);
    // skopeo rewrites a layout's index.json from what it read when it began: two copies into one
    // layout at once keep only the tags of the last to finish. One at a time, then proven.
    const dir = req.target.dir;
    await withIndexLock(dir, async () => {
      await this.reruns.copyRetried(req, images);
      const landed = tagEntry(await readIndex(dir), req.tag, `oci:${dir}`)?.digest;
      if (landed !== req.digest) {
        throw new CopyError('destination', formatRepository(req.target), new DigestMismatchError(req.digest, landed ?? 'nothing', `tag ${req.tag} in oci:${dir} after skopeo's copy`));
      }
    });
  }

  /** Removes the temporary auth files, CA dirs and digest files (skopeo-run.ts). */
  async close(): Promise<void> {
    await this.runner.close();
  }
}
