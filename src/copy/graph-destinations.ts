// Per destination of a graph walk: its books (what was done, or the first error that stopped it)
// and the two steps taken at each one alone, recorded there: is a manifest held, write it. Apart
// from the walk (graph-walk.ts, graph-below.ts), which decides what goes where and in what order.
import type { ManifestContent, Repository } from '../content/storage.js';
import { CopyError } from '../types/errors.js';
import { callOptions, type CopyContext } from './context.js';
import type { Tally } from './tally.js';
import { writeHealing } from './unknown-blobs.js';
import { writeDespiteCheck } from './presence.js';

/** Per destination: what was done, or the first error that stopped it. */
export type GraphResults = Map<Repository, { tally: Tally; error?: Error }>;

export class GraphDestinations {
  constructor(
    protected readonly ctx: CopyContext,
    protected readonly results: GraphResults,
  ) {}

  failed(dst: Repository): boolean {
    return this.results.get(dst)?.error !== undefined;
  }

  fail(dst: Repository, error: Error): void {
    const r = this.results.get(dst);
    if (r && !r.error) r.error = error;
  }

  tallyOf(dst: Repository): Tally {
    return (this.results.get(dst) as { tally: Tally }).tally;
  }

  protected live(dsts: Repository[]): Repository[] {
    return dsts.filter((d) => !this.failed(d));
  }

  /** The destinations that do not hold this manifest yet. */
  protected async lacking(node: ManifestContent, dsts: Repository[]): Promise<Repository[]> {
    const checks = await Promise.all(
      this.live(dsts).map(async (dst) => {
        try {
          return (await dst.exists(node.descriptor, callOptions(this.ctx))) ? undefined : dst;
        } catch (err) {
          if (writeDespiteCheck(err)) return dst;
          this.fail(dst, new CopyError('destination', dst.name, err));
          return undefined;
        }
      }),
    );
    return checks.filter((d): d is Repository => d !== undefined);
  }

  /** Writes `node` at each live destination of `dsts`, its parts already there. */
  protected async writeAt(node: ManifestContent, dsts: Repository[], write: (dst: Repository) => Promise<void>): Promise<void> {
    await Promise.all(
      this.live(dsts).map(async (dst) => {
        try {
          // A registry that said it holds a blob it has not linked here (Harbor, Quay) refuses the
          // manifest naming it: unknown-blobs.ts uploads it and writes once more.
          if (!this.ctx.dryRun) await writeHealing(this.ctx, node, dst, this.tallyOf(dst), write);
          this.tallyOf(dst).manifests += 1;
        } catch (err) {
          this.fail(dst, new CopyError('destination', dst.name, err));
        }
      }),
    );
  }
}
