// What `sync --deep` does below a tag already in place (what `verify --deep` calls incomplete):
// the graph walked as a copy walks it, but every blob asked first and only the absent copied,
// every child manifest walked though present, and the root never written again.
import type { ManifestContent, Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { CopyError } from '../types/errors.js';
import { callOptions, type CopyContext } from './context.js';
import { emptyTally } from './tally.js';
import { writeDespiteCheck } from './presence.js';
import { GraphWalk } from './graph-walk.js';
import type { GraphResults } from './graph-destinations.js';

/**
 * Copies what `root`'s graph lacks at destinations whose tag already points at it. Every blob is
 * checked and copied where absent, and a child manifest a destination lacks is written once its
 * parts are there. The root, present and tagged, is not written again: ECR's immutable tags
 * refuse even the same digest.
 */
export async function refillGraph(ctx: CopyContext, root: ManifestContent, dsts: Repository[]): Promise<GraphResults> {
  const results: GraphResults = new Map(dsts.map((d) => [d, { tally: emptyTally() }]));
  const walk = new RefillWalk(ctx, results);
  await walk.refillOnce(root, dsts, async (mine) => void (await walk.copyBelow(root, mine)));
  return results;
}

class RefillWalk extends GraphWalk {
  /**
   * Below a root in place, the destinations lacking `blob`, asked by HEAD as verify --deep does:
   * a mount answers 201 whether the blob was missing or not, and would count as a repair. One
   * another copy of this run handles there is left to copyBlob, which shares its outcome.
   */
  protected override async blobsAt(blob: Descriptor, dsts: Repository[]): Promise<Repository[]> {
    const checks = await Promise.all(
      dsts.map(async (dst) => {
        if (this.ctx.ledger.pending(dst.name, blob)) return dst;
        try {
          if (!(await dst.exists(blob, callOptions(this.ctx)))) return dst;
          this.tallyOf(dst).existing += 1;
          return undefined;
        } catch (err) {
          if (writeDespiteCheck(err)) return dst;
          this.fail(dst, new CopyError('destination', dst.name, err));
          return undefined;
        }
      }),
    );
    return checks.filter((d): d is Repository => d !== undefined);
  }

  /** A child below a present root: its parts checked wherever it is, and written where it is not. */
  protected override async placeChild(child: ManifestContent, dsts: Repository[], write: (dst: Repository) => Promise<void>): Promise<void> {
    await this.refillOnce(child, dsts, async (mine) => {
      const lacking = await this.lacking(child, mine);
      await this.copyBelow(child, mine);
      await this.writeAt(child, lacking, write);
    });
  }

  /**
   * Runs `walk` below `node` at the destinations where no other tag of this run walks it (the
   * ledger's refillAt); the others share that walk's outcome, counted by the tag that made it.
   */
  async refillOnce(node: ManifestContent, dsts: Repository[], walk: (mine: Repository[]) => Promise<void>): Promise<void> {
    const settles = new Map<Repository, (error?: Error) => void>();
    const earlier: Promise<void>[] = [];
    for (const dst of this.live(dsts)) {
      const at = this.ctx.ledger.refillAt(dst.name, node.descriptor.digest);
      if ('settle' in at) settles.set(dst, at.settle);
      else earlier.push(at.earlier.then((error) => error && this.fail(dst, error)));
    }
    try {
      await walk([...settles.keys()]);
    } finally {
      for (const [dst, settle] of settles) settle(this.results.get(dst)?.error);
    }
    await Promise.all(earlier);
  }
}
