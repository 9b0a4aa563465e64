// `regmirror verify`: audit the source against every target and report drift.
import { Command } from 'commander';
import { exitCodeForVerify } from '../../report/exit.js';
import { renderReport } from '../../report/render.js';
import { binaryWork } from '../../publish/work.js';
import { sessionProgress } from '../session-progress.js';
import { withoutSaid } from '../lines.js';
import { parseConcurrency, parseProgressInterval, shardOf, withCommon, type CommonFlags } from '../common.js';
import { assertReportPaths, emit } from '../emit.js';
import type { Config } from '../../config/model.js';
import type { LockFile } from '../../lock/record.js';
import { UsageError } from '../../types/errors.js';
import { reportToGitHub } from '../github.js';
import { summaryLine } from '../../report/headline.js';
import type { VerifyReport } from '../../report/model.js';
import { redact } from '../../ui/redact.js';

/** --lock: the record mirrors.yaml names, read before any request. */
async function readRecord(config: Config): Promise<LockFile> {
  if (!config.lock) throw new UsageError('--lock needs a digest record: add `lock: ./mirrors.lock` to mirrors.yaml and run sync');
  const { readLock } = await import('../../lock/file.js');
  return readLock(config.lock);
}

interface VerifyFlags extends CommonFlags {
  deep?: boolean;
  all?: boolean;
  lock?: boolean;
}

/** Builds `verify`. */
export function verifyCommand(setExit: (code: number) => void): Command {
  return withCommon(new Command('verify'))
    .description('audit every tag of every mirrored repository on every target and report drift')
    .option('--deep', 'also check that every child manifest and blob, of the image and of its signatures and referrers, is present at each target')
    .option('--all', 'table: list in-sync rows too')
    .option('--lock', 'also check every target against the digest record (lock: in mirrors.yaml), even when the source is down')
    .action(async (flags: VerifyFlags) => setExit(await verify(flags)));
}

async function verify(flags: VerifyFlags): Promise<number> {
  const intervalMs = parseProgressInterval(flags.progressInterval);
  const shard = shardOf(flags.shard);
  await assertReportPaths({ '-o': flags.output });
  // Use cases load on demand, so `regmirror validate` never pays for the HTTP stack.
  const [{ openSession }, { runVerify }] = await Promise.all([import('../session.js'), import('../../verify/run.js')]);
  const session = await openSession(flags, () => []);
  const lock = flags.lock ? await readRecord(session.config) : undefined;
  const progress = sessionProgress(session, { label: 'checked', quiet: flags.quiet === true, enabled: flags.progress, intervalMs });
  let report;
  try {
    // Binaries are audited target against target (the first target is the reference).
    report = await runVerify([...session.work, ...binaryWork(session.config, flags.filter)], {
      stores: session.stores,
      concurrency: parseConcurrency(flags.concurrency, 16),
      tags: flags.tag,
      shard,
      deep: flags.deep === true,
      ...(lock ? { lock } : {}),
      signal: session.signal,
      onResult: () => progress.step(undefined),
      // Source tags to check, tags asked for but absent, unreadable sources; `extra` rows come on top.
      onInventories: (found) => progress.setTotal(found.reduce((n, inv) => n + inv.selected.length + inv.absent.length + (inv.sourceError ? 1 : 0), 0)),
      onWarning: (m) => session.log.warn(m),
    });
  } finally {
    progress.stop();
    await session.close();
  }
  if (session.interrupted()) report.interrupted = true;
  if (shard) report.shard = `${shard.index}/${shard.count}`;
  await emit(renderReport(report, flags.format ?? 'table', { color: process.stdout.isTTY === true && !flags.output, all: flags.all === true }), flags.output);
  await reportToGitHub(report, 'verify', flags.format === 'json' ? flags.output : undefined);
  if (session.interrupted()) {
    // With -o the audit is in that file, not above: the line sends the reader to it. Counted in
    // tags, as the summary line counts them (a table row is a tag at one target).
    session.log.warn(`interrupted: the audit ${flags.output ? `in ${flags.output}` : 'above'} is partial (${report.results.length} ${report.results.length === 1 ? 'tag' : 'tags'} audited); run the same command again for all of it`);
    return 130;
  }
  const code = exitCodeForVerify(report);
  // With the report in a file or as JSON, a CI log showed a bare exit 1 or 3: say why on stderr.
  if (code !== 0 && !flags.quiet && (flags.output !== undefined || (flags.format ?? 'table') === 'json')) process.stderr.write(`${unseenOutcome(report, flags.output, session.log.errorWithin)}\n`);
  return code;
}

/**
 * One line for a report nobody saw on the terminal: its summary, the first error, and where it is.
 * An error the run's `error:` line said already (a refused certificate) points at it, not said again.
 */
function unseenOutcome(report: VerifyReport, output: string | undefined, errorWithin: (text: string) => string | undefined): string {
  const error = report.results.flatMap((r) => r.targets.filter((t) => t.status === 'error').map((t) => `${t.repository}:${r.tag}: ${withoutSaid(t.detail, errorWithin)}`))[0];
  return redact(`verify: ${summaryLine(report)}${error ? `; first error: ${error}` : ''}${output ? `; the report is in ${output}` : ''}`);
}
