// `regmirror report merge` / `report render` / `report stats`: work on saved reports (shards, other
// formats) and on the gateway's events file.
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { mergeReports, missingShards, parseReport, uncoveredInterruptions } from '../../report/merge.js';
import { renderReport, type Format } from '../../report/render.js';
import { withRowSummary } from '../../report/summary.js';
import { UsageError } from '../../types/errors.js';
import { emit } from '../emit.js';
import { unreadConfigOption } from '../common.js';

async function read(file: string) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseReport(text, file);
}

const formatOption = (fallback: Format) =>
  new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown', 'junit', 'html']).default(fallback);

/** Builds `report` with its three sub-commands. */
export function reportCommand(setExit: (code: number) => void): Command {
  const report = new Command('report').description('combine shard reports, render a saved report, or render the gateway\'s stats page').addOption(unreadConfigOption());
  report
    .command('merge')
    .addOption(unreadConfigOption())
    .description('combine shard reports into one')
    .argument('<files...>', 'JSON reports written by --format json -o or --report')
    .requiredOption('-o, --output <file>', 'where to write the merged report')
    .addOption(formatOption('json'))
    .action(async (files: string[], flags: { output: string; format: Format }) => {
      const reports = await Promise.all(files.map(read));
      const partial = uncoveredInterruptions(reports);
      files.forEach((file, i) => {
        if (partial.includes(reports[i]!)) process.stderr.write(`warning: ${file}: its run was interrupted (SIGINT/SIGTERM) or never ended (killed, or still running), so it holds only the rows that finished; the merged report is partial too (marked "interrupted": true): run that command again and merge the report it writes\n`);
      });
      for (const shard of missingShards(reports)) process.stderr.write(`warning: report merge: no report of shard ${shard} among the files given, so the merged report lacks that shard's tags: merge its report too (run that shard again if it wrote none)\n`);
      const merged = mergeReports(reports);
      await emit(renderReport(merged, flags.format), flags.output);
      setExit(0);
    });
  report
    .command('render')
    .addOption(unreadConfigOption())
    .description('render a saved JSON report in another format')
    .argument('<file>', 'a JSON report')
    .addOption(formatOption('table'))
    .option('-o, --output <file>', 'write to FILE instead of standard output')
    .option('--all', 'table: list in-sync rows too')
    .action(async (file: string, flags: { output?: string; format: Format; all?: boolean }) => {
      const { report: saved, differences } = withRowSummary(await read(file));
      if (differences.length > 0) process.stderr.write(`warning: ${file}: its summary disagrees with its rows (${differences.join('; ')}); rendered with the counts of the rows\n`);
      await emit(renderReport(saved, flags.format, { color: process.stdout.isTTY === true && !flags.output, all: flags.all === true }), flags.output);
      setExit(0);
    });
  report
    .command('stats')
    .addOption(unreadConfigOption())
    .description('render the gateway\'s stats page (pulls per release per day, release lines, backends) from an events file')
    .argument('<events>', 'NDJSON events written by `regmirror serve` (gateway.events)')
    .option('-o, --output <file>', 'write the HTML page to FILE instead of standard output')
    .option('--host <name>', 'the public name shown in the title')
    .action(async (file: string, flags: { output?: string; host?: string }) => {
      const [{ aggregate, parseEvents }, { renderStatsHtml }] = await Promise.all([import('../../serve/stats.js'), import('../../report/stats-html.js')]);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new UsageError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      const { events, skipped } = parseEvents(text);
      if (skipped > 0) process.stderr.write(`warning: ${file}: ${skipped} line(s) are not gateway events; skipped\n`);
      await emit(renderStatsHtml(aggregate(events, { host: flags.host ?? '' })), flags.output);
      setExit(0);
    });
  return report;
}
