// `regmirror publish`: push the release's files as OCI artifacts (oras-compatible) to every
// target of every binaries entry, after checking them against their checksums.
import path from 'node:path';
import { Command } from 'commander';
import { selectBinaries } from '../../publish/work.js';
import type { SyncReport } from '../../report/model.js';
import { renderReport } from '../../report/render.js';
import { UsageError } from '../../types/errors.js';
import { sessionProgress } from '../session-progress.js';
import { parseConcurrency, parseProgressInterval, withCommon, type CommonFlags } from '../common.js';
import { assertReportPaths, emit } from '../emit.js';
import { perCopyGroup, reportToGitHub } from '../github.js';
import { runResultLines } from '../lines.js';

interface PublishFlags extends CommonFlags {
  dir: string;
  force?: boolean;
}

/** Builds `publish`. */
export function publishCommand(setExit: (code: number) => void): Command {
  return withCommon(new Command('publish'))
    .description('push release files as OCI artifacts (oras-compatible) to every target of every binaries entry')
    .option('--dir <dir>', 'directory the binaries files globs are matched under', '.')
    .option('--force', 'retarget target tags that point at a different digest')
    .action(async (flags: PublishFlags) => setExit(await publish(flags)));
}

async function publish(flags: PublishFlags): Promise<number> {
  const tag = flags.tag.length === 1 ? flags.tag[0]! : undefined;
  if (tag === undefined) throw new UsageError(`publish needs exactly one --tag (the release to publish), got ${flags.tag.length}`);
  if (flags.shard !== undefined) throw new UsageError('publish does not take --shard');
  const intervalMs = parseProgressInterval(flags.progressInterval);
  await assertReportPaths({ '-o': flags.output });
  // Use cases load on demand, so `regmirror validate` never pays for the HTTP stack.
  const [{ openSession }, { runPublish }] = await Promise.all([import('../session.js'), import('../../publish/run.js')]);
  const session = await openSession(flags, (config) => selectBinaries(config, flags.filter).flatMap((b) => b.targets));
  const progress = sessionProgress(session, { label: 'published', unit: '(binary, tag)', quiet: flags.quiet === true, enabled: flags.progress, intervalMs });
  let report: SyncReport;
  const endGroup = perCopyGroup('regmirror publish: every push', flags.quiet === true);
  const lines = runResultLines(session.log.errorWithin);
  try {
    report = await runPublish(session.config, {
      stores: session.stores,
      tag,
      dir: path.resolve(flags.dir),
      force: flags.force === true,
      filters: flags.filter,
      concurrency: parseConcurrency(flags.concurrency),
      signal: session.signal,
      onResult: (r) => progress.step(lines(r)),
      onBytes: (n) => progress.bytes(n),
      onNote: (m) => session.log.debug(m),
      onDownload: (url) => session.log.info(`downloading ${url}`),
      onPrepared: (n, bytes) => progress.setTotal(n, bytes),
    });
  } finally {
    progress.stop();
    endGroup();
    await session.close();
  }
  if (session.interrupted()) report.interrupted = true;
  await emit(renderReport(report, flags.format ?? 'table', { color: process.stdout.isTTY === true && !flags.output }), flags.output);
  await reportToGitHub(report, 'publish', flags.format === 'json' ? flags.output : undefined);
  if (session.interrupted()) {
    session.log.warn(`interrupted: ${report.summary.copied} copied, ${report.summary.skipped} already in place; run the same command again to finish`);
    return 130;
  }
  return report.summary.conflicts > 0 || report.summary.failed > 0 ? 1 : 0;
}
