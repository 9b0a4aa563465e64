// engine: skopeo (SPEC "Engines and layouts"): one `skopeo copy --all --preserve-digests` per
// (source tag → target repository). Planning, tag rules, conflicts and verification stay
// regmirror's own; this only moves bytes (running a copy again after a transient failure), then
// checks that what skopeo pushed is the pinned digest.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RegistrySettings } from '../config/model.js';
import type { CredentialProvider } from '../registry/credentials.js';
import { backoff, pause } from '../registry/http/retry.js';
import { AbortedError, CopyError, DigestMismatchError, triedOut, UsageError } from '../types/errors.js';
import { formatRepository } from '../types/reference.js';
import { silentLogger, type Logger } from '../ui/log.js';
import { redact } from '../ui/redact.js';
import { addressOf, childImages, inspectArgs, skopeoArgs, sourceImage, targetImage, type SkopeoCopyRequest, type SkopeoPiece, type SkopeoSideFiles } from './skopeo-args.js';
import { indexChildren } from './skopeo-pieces.js';
import { SkopeoWorkdir } from './skopeo-auth.js';
import { copyErrorFrom, isRefusedConversion, isTransientFailure, lastMeaningfulLine } from './skopeo-errors.js';
import { hiddenIndexRefusal } from './skopeo-debug.js';
import { checkSkopeoSource } from './skopeo-layout.js';
import { refusingHostsUnlessProxied } from './skopeo-refusals.js';
import { STILLNESS_MS, stillnessLine, watchStillness } from './skopeo-stillness.js';
import { stuckSide } from './skopeo-stuck-side.js';
import { readIndex, tagEntry, withIndexLock } from '../content/layout/index-file.js';

export type { SkopeoCopyRequest } from './skopeo-args.js';
export { skopeoArgs } from './skopeo-args.js';

/** What the engine needs from the run: host settings, --endpoint overrides and credentials. */
export interface SkopeoEngineOptions {
  registries?: Map<string, RegistrySettings>;
  endpoints?: Map<string, string>;
  credentials: CredentialProvider;
  logger?: Logger;
  /** The skopeo executable (default `skopeo`, found on PATH). */
  binary?: string;
  /** First backoff between re-runs of a failed copy, in ms (default 500; full jitter, doubling, ≤ 10 s). */
  backoffBaseMs?: number;
  /** How long a skopeo run may move no byte before it is stopped and run again (skopeo-stillness.ts; default 300 s). */
  stillnessMs?: number;
}

/** Copies images by running skopeo, with credentials in private auth files, never in argv. */
export class SkopeoEngine {
  private readonly binary: string;
  private readonly logger: Logger;
  private readonly workdir: SkopeoWorkdir;
  private checked?: Promise<void>;
  private insecurePolicy = false;
  private readonly refusing = refusingHostsUnlessProxied();

  constructor(private readonly opts: SkopeoEngineOptions) {
    this.binary = opts.binary ?? 'skopeo';
    this.logger = opts.logger ?? silentLogger;
    this.workdir = new SkopeoWorkdir(opts.credentials);
  }

  /** Checks once that skopeo runs (`skopeo --version`); a clear UsageError naming the apt package when missing. */
  available(): Promise<void> {
    this.checked ??= (async () => {
      const result = await execa(this.binary, ['--version'], { reject: false, stdin: 'ignore', timeout: 30_000 });
      if (result.failed || result.exitCode !== 0) {
        const why = result.code === 'ENOENT' ? 'not found' : redact(String(result.stderr || result.shortMessage)).split('\n')[0];
        throw new UsageError(`engine: skopeo needs the skopeo CLI (${this.binary}: ${why}); install it (apt-get install skopeo) or use engine: native`);
      }
      this.logger.debug(`engine skopeo: ${String(result.stdout).trim()}`);
      // Without any containers policy.json skopeo refuses to copy; regmirror checks digests itself.
      this.insecurePolicy = !hasContainersPolicy();
    })();
    return this.checked;
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
    if (req.target.scheme !== 'oci') return this.copyRetried(req, images);
    // skopeo rewrites a layout's index.json from what it read when it began: two copies into one
    // layout at once keep only the tags of the last to finish. One at a time, then proven.
    const dir = req.target.dir;
    await withIndexLock(dir, async () => {
      await this.copyRetried(req, images);
      const landed = tagEntry(await readIndex(dir), req.tag, `oci:${dir}`)?.digest;
      if (landed !== req.digest) {
        throw new CopyError('destination', formatRepository(req.target), new DigestMismatchError(req.digest, landed ?? 'nothing', `tag ${req.tag} in oci:${dir} after skopeo's copy`));
      }
    });
  }

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
  private async copyRetried(req: SkopeoCopyRequest, images: { source: string; target: string }, piece?: SkopeoPiece, tally: Tally = { streak: 0 }): Promise<void> {
    let refusals = 0;
    let debug = false;
    const hosts = [req.source, req.target].flatMap((side) => addressOf(side, this.opts)?.host ?? []);
    for (let attempt = 1; ; attempt++) {
      // A registry that refused a connection earlier in the run and still does: skopeo's own retries are spent already.
      const refused = await this.refusing?.stillRefusing(hosts);
      if (refused !== undefined) throw copyErrorFrom(req, refused, 'refused', images);
      // Every re-run goes with --debug, whose lines name the blobs found at the target (landedSoFar).
      const failure = await this.runOnce(req, debug || attempt > 1, piece);
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
        const inspect = inspectArgs(req, { registries: this.opts.registries, endpoints: this.opts.endpoints, source: await this.sideFiles(req, 'source') });
        const children = await indexChildren(this.binary, inspect, req, budget);
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

  /** Removes the temporary auth files, CA dirs and digest files. */
  async close(): Promise<void> {
    await this.workdir.remove();
  }

  // One `skopeo copy`; undefined when it succeeded with the pinned digest, else what it said.
  private async runOnce(req: SkopeoCopyRequest, debug: boolean, piece?: SkopeoPiece): Promise<{ stderr: string; exit: string } | undefined> {
    const digestFile = await this.workdir.digestFile();
    const args = skopeoArgs(req, {
      registries: this.opts.registries,
      endpoints: this.opts.endpoints,
      source: await this.sideFiles(req, 'source'),
      target: await this.sideFiles(req, 'target'),
      digestFile,
      insecurePolicy: this.insecurePolicy,
      debug,
      piece,
    });
    const run = execa(this.binary, args, {
      reject: false,
      stdin: 'ignore',
      extendEnv: true,
      // Our auth files are passed by flag; an inherited REGISTRY_AUTH_FILE must not add others.
      env: { REGISTRY_AUTH_FILE: undefined },
      cancelSignal: req.signal,
    });
    const stillMs = this.opts.stillnessMs ?? STILLNESS_MS;
    let still = false;
    let side: string | undefined;
    const unwatch = watchStillness(run.pid, stillMs, () => {
      still = true;
      // Which side held it, read from its sockets before it goes (never rejects).
      void stuckSide(run.pid, { source: addressOf(req.source, this.opts)?.host, target: addressOf(req.target, this.opts)?.host }).then((found) => {
        side = found;
        run.kill('SIGTERM');
      });
    });
    const result = await run.finally(unwatch);
    if (result.isCanceled || req.signal?.aborted) throw new AbortedError('interrupted');
    if (still) return { stderr: `${String(result.stderr ?? '')}\n${stillnessLine(stillMs, side)}`, exit: 'SIGTERM' };
    if (result.exitCode !== 0) return { stderr: String(result.stderr ?? ''), exit: String(result.exitCode ?? result.signal) };
    const pushed = (await readFile(digestFile, 'utf8').catch(() => '')).trim();
    const expected = piece && 'child' in piece ? piece.child : req.digest;
    if (pushed && pushed !== expected) {
      throw new CopyError('source', formatRepository(req.source), new DigestMismatchError(expected, pushed, `${req.tag}${expected === req.digest ? '' : ` (platform ${expected})`} as copied by skopeo`));
    }
    return undefined;
  }

  // Attempts per copy: the registry's maxAttempts (retries included), 5 by default as in the client.
  private attemptsFor(repo: SkopeoCopyRequest['source']): number {
    if (repo.scheme !== 'registry') return 1;
    return Math.max(1, this.opts.registries?.get(repo.registry)?.maxAttempts ?? 5);
  }

  private async sideFiles(req: SkopeoCopyRequest, side: 'source' | 'target'): Promise<SkopeoSideFiles> {
    const repo = req[side];
    const address = addressOf(repo, this.opts);
    if (!address || repo.scheme !== 'registry') return {};
    const files: SkopeoSideFiles = {};
    const authFile = await this.workdir.authFileFor(address, repo.repository);
    if (authFile) files.authFile = authFile;
    const certDir = await this.workdir.certDirFor(address);
    if (certDir) files.certDir = certDir;
    return files;
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

function hasContainersPolicy(): boolean {
  const configHome = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return existsSync(join(configHome, 'containers', 'policy.json')) || existsSync('/etc/containers/policy.json');
}
