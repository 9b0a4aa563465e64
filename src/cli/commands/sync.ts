// `regmirror sync` and `regmirror plan`: copy what is missing (or say what would be copied).
import { Command, Option } from 'commander';
import { renderReport } from '../../report/render.js';
import type { SyncReport } from '../../report/model.js';
import type { SkopeoEngine } from '../../engines/skopeo.js';
import { sessionProgress } from '../session-progress.js';
import { parseConcurrency, parseProgressInterval, shardOf, withCommon, type CommonFlags } from '../common.js';
import { assertReportPaths, emit, writeReportFile } from '../emit.js';
import { ReportJournal, reportText } from '../report-journal.js';
import { perCopyGroup, reportToGitHub } from '../github.js';
import { UsageError } from '../../types/errors.js';
import { runResultLines } from '../lines.js';
import type { Config } from '../../config/model.js';
import type { LockFile } from '../../lock/record.js';
import { explainInventories, renderExplained } from '../explain.js';
import type { Inventory } from '../../inventory/inventory.js';

/** The record (`lock:`) read before any request, and how to write it back; --accept-moved needs one. */
async function openLock(config: Config, accept: string[]): Promise<{ lock?: LockFile; saveLock: (l: LockFile) => Promise<void> }> {
  if (!config.lock) {
    if (accept.length > 0) throw new UsageError('--accept-moved needs a digest record: add `lock: ./mirrors.lock` to mirrors.yaml');
    return { saveLock: async () => undefined };
  }
  const { readLock, updateLock } = await import('../../lock/file.js');
  const file = config.lock;
  const lock = await readLock(file);
  // Read again at the end: other shards on this file may have recorded their tags meanwhile.
  return { lock, saveLock: async (l) => updateLock(file, lock, l) };
}

interface SyncFlags extends CommonFlags {
  dryRun?: boolean;
  force?: boolean;
  report?: string;
  engine?: 'native' | 'skopeo';
  acceptMoved?: string[];
  explain?: boolean;
  deep?: boolean;
}

/** Builds `sync` (plan = false) or `plan` (plan = true). */
export function syncCommand(setExit: (code: number) => void, plan: boolean): Command {
  const cmd = withCommon(new Command(plan ? 'plan' : 'sync'));
  if (plan) cmd.description('resolve tags and digests and print what sync would do; writes nothing');
  else {
    cmd
      .description('copy every selected tag to every target that lacks it, then check it')
      .option('--dry-run', 'print the plan and write nothing (same as `plan`)')
      .option('--force', 'retarget target tags whose digest differs from the source')
      .option('--deep', 'also check that every child manifest and blob of a tag already in place, and of its signatures and referrers, is at the target, and copy what is missing (what `verify --deep` calls incomplete or missing-referrers)')
      .option('--report <file>', 'also write a JSON report of what was done')
      .option('--accept-moved <tag>', 'record a moved source tag\'s new digest in the lock and retarget it everywhere (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[]);
  }
  // Both spellings of a plan (SPEC: `--dry-run` = `plan`) take both: a plan routes each tag as its engine would copy it.
  cmd
    .addOption(new Option('--engine <engine>', 'copy engine for every item').choices(['native', 'skopeo']))
    .option('--explain', `also say, for every source tag, whether it is selected and by which rule${plan ? '' : ' (with --dry-run)'}`);
  return cmd.action(async (flags: SyncFlags) => setExit(await sync(flags, plan || flags.dryRun === true)));
}

async function sync(flags: SyncFlags, dryRun: boolean): Promise<number> {
  if (flags.explain && flags.format !== undefined && !['table', 'json'].includes(flags.format)) throw new UsageError(`--explain: use --format table or json (not ${flags.format})`);
  if (flags.explain && !dryRun) throw new UsageError('--explain says why each tag is in or out of a plan: `regmirror plan --explain`, or `sync --dry-run --explain`');
  if (flags.deep && dryRun) throw new UsageError('--deep copies the missing parts of tags in place, which a dry run does not: `regmirror verify --deep` lists them');
  const intervalMs = parseProgressInterval(flags.progressInterval);
  const shard = shardOf(flags.shard);
  await assertReportPaths({ '-o': flags.output, '--report': flags.report });
  // Use cases load on demand, so `regmirror validate` never pays for the HTTP stack.
  const [{ openSession }, { needsSkopeo, runSync }] = await Promise.all([import('../session.js'), import('../../sync/run.js')]);
  const session = await openSession(flags, (_config, work) => (dryRun ? [] : work.flatMap((w) => w.item.targets)));
  const { lock, saveLock } = await openLock(session.config, flags.acceptMoved ?? []);
  // 32 tags in flight: with their requests queued by place (sync/run.ts), more tags keep a distant
  // registry's slots busy from the first second without moving in step, and the manifest writes
  // that queue WRITE_LAG places behind (copy/context.ts) need the tags that far ahead in flight.
  // Copies by skopeo are a process each: 8 of those.
  const usesSkopeo = needsSkopeo(session.work, flags.engine);
  if (usesSkopeo) await (await import('../../engines/skopeo-auth.js')).refuseSkopeoTokens(session.work, flags.engine, session.credentials);
  const concurrency = parseConcurrency(flags.concurrency, usesSkopeo ? 8 : 32);
  const progress = sessionProgress(session, { label: dryRun ? 'planned' : 'synced', quiet: flags.quiet === true, enabled: flags.progress, intervalMs });
  let report: SyncReport;
  let unreachable: boolean;
  let partlyUnread: boolean;
  let after: LockFile | undefined;
  let skopeo: SkopeoEngine | undefined;
  let inventories: Inventory[] = [];
  const endGroup = dryRun ? () => {} : perCopyGroup('regmirror sync: every copy', flags.quiet === true);
  const lines = runResultLines(session.log.errorWithin);
  const journal = flags.report ? await ReportJournal.open(flags.report, dryRun ? 'plan' : 'sync', shard ? { shard: `${shard.index}/${shard.count}` } : {}, (m) => session.log.warn(m)) : undefined;
  try {
    if (!dryRun && usesSkopeo) {
      const { SkopeoEngine } = await import('../../engines/skopeo.js');
      skopeo = new SkopeoEngine({ registries: session.config.registries, endpoints: session.endpoints, credentials: session.credentials, logger: session.log });
      await skopeo.available();
    }
    ({ report, unreachable, partlyUnread, lock: after } = await runSync(session.work, {
      stores: session.stores,
      dryRun,
      force: flags.force === true,
      deep: flags.deep === true,
      concurrency,
      tags: flags.tag,
      shard,
      signal: session.signal,
      engine: flags.engine,
      skopeo,
      ...(lock ? { lock } : {}),
      acceptMoved: flags.acceptMoved ?? [],
      onResult: (r) => {
        journal?.add(r);
        progress.step(dryRun ? undefined : lines(r));
      },
      onFailedEarly: (r) => {
        journal?.add(r);
        progress.say(dryRun ? undefined : lines(r));
      },
      onBytes: (n) => progress.bytes(n),
      onWarning: (m) => session.log.warn(m),
      onNote: (m) => session.log.debug(m),
      onInventories: (found) => {
        inventories = found;
        progress.setTotal(found.reduce((n, inv) => n + inv.selected.length, 0));
      },
    }));
  } finally {
    await journal?.close();
    progress.stop();
    endGroup();
    await skopeo?.close();
    await session.close();
  }
  if (after && !dryRun) await saveLock(after);
  // A report of the rows that finished must not read as the whole run's (report merge warns of it).
  if (session.interrupted()) report.interrupted = true;
  if (shard) report.shard = `${shard.index}/${shard.count}`;
  const color = process.stdout.isTTY === true && !flags.output;
  const format = flags.format ?? 'table';
  await emit(flags.explain ? renderExplained(report, format, explainInventories(inventories), color) : renderReport(report, format, { color }), flags.output);
  if (flags.report) await (journal ? journal.finish(report) : writeReportFile(flags.report, reportText(report), '--report'));
  if (!dryRun) await reportToGitHub(report, 'sync', flags.report ?? (format === 'json' ? flags.output : undefined));
  if (session.interrupted()) {
    if (dryRun) session.log.warn(`interrupted: the plan ${flags.output ? `in ${flags.output}` : 'above'} is partial; nothing was written`);
    else session.log.warn(`interrupted: ${report.summary.copied} copied, ${report.summary.skipped} already in sync; run the same command again to finish`);
    return 130;
  }
  const s = report.summary;
  if (unreachable) return 3;
  // plan has no exit 1: a registry it could not reach or read at all left the plan incomplete (SPEC: 3).
  if (dryRun) return partlyUnread ? 3 : 0;
  return s.conflicts > 0 || s.failed > 0 || (s.refused ?? 0) > 0 || (s.moved ?? 0) > 0 ? 1 : 0;
}
