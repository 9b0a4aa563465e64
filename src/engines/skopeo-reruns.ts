// Whether a failed `skopeo copy` runs again, and how often: a transient failure, within the
// registry's attempt budget, an index going on in pieces. One run itself is skopeo-run.ts's.
import { backoff, pause } from '../registry/http/retry.js';
import { triedOut } from '../types/errors.js';
import type { Logger } from '../ui/log.js';
import { redact } from '../ui/redact.js';
import { addressOf, childImages, inspectArgs, type SkopeoCopyRequest, type SkopeoPiece } from './skopeo-args.js';
import { copyErrorFrom, isRefusedConversion, isTransientFailure, lastMeaningfulLine } from './skopeo-errors.js';
import { hiddenIndexRefusal } from './skopeo-debug.js';
import type { SkopeoEngineOptions } from './skopeo-options.js';
import { indexChildren } from './skopeo-pieces.js';
import { refusingHostsUnlessProxied } from './skopeo-refusals.js';
import type { SkopeoRunner } from './skopeo-run.js';

/** Runs a copy (or each piece of an index) again until it lands or its budget is spent. */
export class SkopeoReruns {
  private readonly refusing = refusingHostsUnlessProxied();

  constructor(
    private readonly runner: SkopeoRunner,
    private readonly opts: SkopeoEngineOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * A 5xx or a broken connection (distribution answers concurrent blob checks in one repository
   * with 500) gets the copy run again; auth, not-found and digest failures never do. skopeo says it
   * "cannot convert" an index whose PUT failed for any reason, a 500 included: that gets one more
   * run of its own, with --debug, whose output holds the registry's answer (skopeo-debug.ts),
   * judged from then on in its place.
   *
   * The budget is the native client's: maxAttempts tries of each request. skopeo retries none
   * that a proxy answers 502, so a run fails at its first such answer; a run failing where the
   * last one did is that request failing again, and one failing elsewhere, or on the same line
   * with more blobs at the target (re-runs go with --debug, which names them), got past it. The copy
   * gives up when maxAttempts runs in a row fail at one point (a dead registry: ping after ping),
   * or after RUNS_PER_ATTEMPT × maxAttempts runs of one piece however they failed.
   *
   * An index whose copy failed for a transient reason goes on in pieces (copyInPieces), `tally`
   * shared by them and cleared when one lands.
   */
  async copyRetried(req: SkopeoCopyRequest, images: { source: string; target: string }, piece?: SkopeoPiece, tally: Tally = { streak: 0 }): Promise<void> {
    let refusals = 0;
    let debug = false;
    const hosts = [req.source, req.target].flatMap((side) => addressOf(side, this.opts)?.host ?? []);
    for (let attempt = 1; ; attempt++) {
      // A registry that refused a connection earlier in the run and still does: skopeo's own retries are spent already.
      const refused = await this.refusing?.stillRefusing(hosts);
      if (refused !== undefined) throw copyErrorFrom(req, refused, 'refused', images);
      // Every re-run goes with --debug, whose lines name the blobs found at the target (landedSoFar).
      const failure = await this.runner.runOnce(req, debug || attempt > 1, piece);
      if (!failure) {
        tally.streak = 0;
        tally.point = undefined;
        for (const host of hosts) this.refusing?.forget(host);
        return;
      }
      const stderr = (debug && hiddenIndexRefusal(failure.stderr)) || failure.stderr;
      const error = copyErrorFrom(req, stderr, failure.exit, images);
      // Refused after skopeo's own retries, and still refusing now: running it again would only wait them out again.
      if (this.refusing?.remember(lastMeaningfulLine(stderr), hosts) && (await this.refusing.stillRefusing(hosts)) !== undefined) throw error;
      const budget = this.attemptsFor(error.origin === 'source' ? req.source : req.target);
      const conversion = isRefusedConversion(stderr);
      debug ||= conversion;
      const again = isTransientFailure(stderr) || (conversion && ++refusals < 2);
      const point = failurePoint(stderr) + landedSoFar(failure.stderr);
      tally.streak = point === tally.point ? tally.streak + 1 : 1;
      tally.point = point;
      tally.runs = (tally.runs ?? 0) + 1;
      if (!again) throw error;
      // Given up after runs that each failed a way worth running again: said with how often, as the native client's lines are.
      if (tally.streak >= budget || attempt >= budget * RUNS_PER_ATTEMPT) throw triedOut(error, undefined, tally.runs);
      const wait = backoff({ maxAttempts: budget, baseMs: this.opts.backoffBaseMs ?? 500, maxDelayMs: 10_000 }, tally.streak);
      this.logger.debug(`engine skopeo: ${images.target}: ${redact(lastMeaningfulLine(stderr))}; running the copy again${debug ? ' with --debug' : ''} (run ${attempt + 1}; ${tally.streak} of at most ${budget} failed here in a row) in ${wait} ms`);
      await pause(wait, req.signal);
      if (!piece && !debug) {
        const inspect = inspectArgs(req, { registries: this.opts.registries, endpoints: this.opts.endpoints, source: await this.runner.sideFiles(req, 'source') });
        const children = await indexChildren(this.runner.binary, inspect, req, budget);
        if (children) return this.copyInPieces(req, images, children, tally);
      }
    }
  }

  /**
   * An index copied again in pieces: each platform manifest by digest, then the index alone over
   * them. A re-run of the whole index makes ~14 requests to the target even when every blob is
   * there (a blob check each, every platform's manifest PUT again, the index), and skopeo 1.9
   * retries none that a proxy answers 502, so behind one that fails 1 request in 10 three re-runs
   * in four fail somewhere and a copy lost its budget on a lottery. A piece is 2 to 5 requests
   * once its blobs are there, and one that landed is not made again.
   */
  private async copyInPieces(req: SkopeoCopyRequest, images: { source: string; target: string }, children: string[], tally: Tally): Promise<void> {
    this.logger.debug(`engine skopeo: ${images.target}: copying the index's ${children.length} platforms one at a time, then the index alone`);
    for (const child of children) {
      const [source, target] = childImages(req, child, this.opts);
      await this.copyRetried(req, { source, target }, { child }, tally);
    }
    await this.copyRetried(req, images, { indexOnly: true }, tally);
  }

  // Attempts per copy: the registry's maxAttempts (retries included), 5 by default as in the client.
  private attemptsFor(repo: SkopeoCopyRequest['source']): number {
    if (repo.scheme !== 'registry') return 1;
    return Math.max(1, this.opts.registries?.get(repo.registry)?.maxAttempts ?? 5);
  }
}

/** Where the last failed run of a copy (any of its pieces) failed, and how many in a row failed there (cleared when a piece lands); its failed runs in all. */
interface Tally { point?: string; streak: number; runs?: number }

/**
 * Runs of one copy (or piece of an index) at most, as a multiple of its budget, however they
 * failed: a safety bound for a registry failing somewhere else on every run. Behind a proxy
 * answering a random 1 request in 4 with 502, 4 tags of 3 platforms took 84-132 runs in all.
 */
const RUNS_PER_ATTEMPT = 10;

// Where a run failed, without what differs between runs of the same failure (upload session URLs, query strings).
function failurePoint(stderr: string): string {
  // An index's run names the platform ("copying image 2/3 from manifest list: "), a piece's does not.
  return lastMeaningfulLine(stderr).replace(/^copying image \d+\/\d+ from manifest list: /, '').replace(/\/blobs\/uploads\/[^\s"?]*/g, '/blobs/uploads/').replace(/\?[^\s"]*/g, '');
}

/**
 * How many blobs a --debug run found at the target already, when any: a run failing on the same
 * line as the last one ('writing blob: uploading layer chunked: … 503', which names no blob) but
 * with more blobs there got past the last one's failure, as a run failing elsewhere does.
 */
function landedSoFar(stderr: string): string {
  const present = stderr.match(/level=debug msg="Skipping blob sha256:[0-9a-f]{64} \(already present\)/g)?.length ?? 0;
  return present > 0 ? ` (${present} blobs there)` : '';
}
