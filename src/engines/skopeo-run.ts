// One run of the skopeo binary: the check that it runs at all, then each `skopeo copy` with its
// auth files and CA dirs, watched for a run that stops moving bytes. Whether a failed copy runs
// again is skopeo-reruns.ts's; what to copy is the engine's (skopeo.ts).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { AbortedError, CopyError, DigestMismatchError, UsageError } from '../types/errors.js';
import { formatRepository } from '../types/reference.js';
import type { Logger } from '../ui/log.js';
import { redact } from '../ui/redact.js';
import { addressOf, skopeoArgs, type SkopeoCopyRequest, type SkopeoPiece, type SkopeoSideFiles } from './skopeo-args.js';
import { SkopeoWorkdir } from './skopeo-auth.js';
import type { SkopeoEngineOptions } from './skopeo-options.js';
import { STILLNESS_MS, stillnessLine, watchStillness } from './skopeo-stillness.js';
import { stuckSide } from './skopeo-stuck-side.js';

/** Runs skopeo for the engine, with credentials in private auth files, never in argv. */
export class SkopeoRunner {
  readonly binary: string;
  private readonly workdir: SkopeoWorkdir;
  private checked?: Promise<void>;
  private insecurePolicy = false;

  constructor(
    private readonly opts: SkopeoEngineOptions,
    private readonly logger: Logger,
  ) {
    this.binary = opts.binary ?? 'skopeo';
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

  /** Removes the temporary auth files, CA dirs and digest files. */
  async close(): Promise<void> {
    await this.workdir.remove();
  }

  // One `skopeo copy`; undefined when it succeeded with the pinned digest, else what it said.
  async runOnce(req: SkopeoCopyRequest, debug: boolean, piece?: SkopeoPiece): Promise<{ stderr: string; exit: string } | undefined> {
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

  async sideFiles(req: SkopeoCopyRequest, side: 'source' | 'target'): Promise<SkopeoSideFiles> {
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

function hasContainersPolicy(): boolean {
  const configHome = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return existsSync(join(configHome, 'containers', 'policy.json')) || existsSync('/etc/containers/policy.json');
}
