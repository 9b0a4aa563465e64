// `regmirror publish`: push the release's files as OCI artifacts (oras-compatible) to every
// target of every binaries entry, after checking them against their checksums.
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/model.js';
import { selectBinaries } from '../../publish/work.js';
import { runPublish } from '../../publish/run.js';
import { missingCredentialEnv } from '../../registry/credentials.js';
import type { SyncReport, SyncResult } from '../../report/model.js';
import { renderReport } from '../../report/render.js';
import { ConfigError, UsageError } from '../../types/errors.js';
import { createProgress } from '../../ui/progress.js';
import { formatBytes } from '../../report/rows.js';
import { parseConcurrency, withCommon, type CommonFlags } from '../common.js';
import { emit, openSession } from '../session.js';

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
  // Checked on a first read of the config, so the session's read-side warnings never precede this error.
  checkWriteCredentials(await loadConfig(flags.config), flags.filter);
  const session = await openSession(flags, false);
  const progress = createProgress({ label: 'published', quiet: flags.quiet === true, enabled: flags.progress });
  let report: SyncReport;
  try {
    report = await runPublish(session.config, {
      stores: session.stores,
      tag,
      dir: path.resolve(flags.dir),
      force: flags.force === true,
      filters: flags.filter,
      concurrency: parseConcurrency(flags.concurrency),
      signal: session.signal,
      onResult: (r) => progress.step(lineFor(r)),
      onBytes: (n) => progress.bytes(n),
      onDownload: (url) => session.log.info(`downloading ${url}`),
    });
  } finally {
    progress.stop();
    await session.close();
  }
  await emit(renderReport(report, flags.format ?? 'table', { color: process.stdout.isTTY === true && !flags.output }), flags.output);
  if (session.interrupted()) return 130;
  return report.summary.conflicts > 0 || report.summary.failed > 0 ? 1 : 0;
}

/** An unset credentials variable for a registry publish writes to is fatal before any request (SPEC). */
function checkWriteCredentials(config: Config, filters: string[]): void {
  const written = new Set(selectBinaries(config, filters).flatMap((b) => b.targets.flatMap((t) => (t.scheme === 'registry' ? [t.registry] : []))));
  for (const { host, variable } of missingCredentialEnv(config.registries)) {
    if (!written.has(host)) continue;
    const pos = config.registries.get(host)?.position ?? { line: 1, col: 1 };
    throw new ConfigError(config.file, pos.line, pos.col, `environment variable ${variable} (credentials for ${host}) is not set, and publish writes to ${host}`);
  }
}

/** One plain progress line per target that did something. */
function lineFor(r: SyncResult): string | undefined {
  const busy = r.targets.filter((t) => t.action !== 'skip');
  if (busy.length === 0) return undefined;
  return busy
    .map((t) => {
      const what = t.action === 'copied' || t.action === 'forced' ? `${t.action} (${t.blobs.copied} blobs uploaded, ${t.blobs.mounted} mounted, ${formatBytes(t.bytes)})` : t.action;
      return `${r.source}:${r.tag} → ${t.repository}: ${what}${t.detail ? ` — ${t.detail}` : ''}`;
    })
    .join('\n');
}
