// `regmirror validate` and `regmirror schema`: the config alone, no network.
import { Command, Option } from 'commander';
import { explainConfig } from '../explain.js';
import { explainJson, renderExplainTable } from '../../report/explain.js';
import { loadConfig } from '../../config/load.js';
import { mirrorsSchema } from '../../config/schema.js';
import { describeConfig } from '../../config/describe.js';
import { checkFilters, imageWork } from '../../config/workitems.js';
import { selectBinaries } from '../../publish/work.js';
import { unreadConfigOption } from '../common.js';
import { insecureBesideCaFile } from '../../config/registries.js';
import { createLogger, levelOf } from '../../ui/log.js';

/** Builds `validate`: parse and check the config, print what it selects. */
export function validateCommand(setExit: (code: number) => void): Command {
  return new Command('validate')
    .description('parse and check mirrors.yaml and print what it selects (no network)')
    .option('-c, --config <file>', 'mirrors.yaml to read', './mirrors.yaml')
    .option('--filter <glob>', 'only repositories whose name matches (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('-q, --quiet', 'print nothing when valid')
    // SPEC's common -v: validate makes no request, so it adds only stack traces (cli/main.ts reads it).
    .option('-v, --verbose', 'print stack traces of errors')
    .option('--explain', 'list the tags the config alone selects (explicit), no network; `plan --explain` decides every source tag')
    .addOption(new Option('--format <format>', 'output format of --explain').choices(['table', 'json']).default('table'))
    .action(async (flags: { config: string; filter: string[]; quiet?: boolean; explain?: boolean; format: 'table' | 'json' }) => {
      const config = await loadConfig(flags.config);
      checkFilters(config, flags.filter);
      const log = createLogger(levelOf(flags));
      for (const line of insecureBesideCaFile(config)) log.warn(line);
      const work = imageWork(config, flags.filter);
      if (flags.explain) {
        const explained = explainConfig(work);
        process.stdout.write(flags.format === 'json' ? `${JSON.stringify({ explain: explainJson(explained.rows) }, null, 2)}\n` : renderExplainTable(explained.rows, explained.notes));
        return setExit(0);
      }
      if (!flags.quiet) {
        process.stdout.write(`${describeConfig(config)}\n`);
        // Binaries entries counted too: a release-files-only file read "0 image(s) selected" alone.
        const binaries = selectBinaries(config, flags.filter);
        const published = binaries.length ? `; ${binaries.length} binaries ${binaries.length === 1 ? 'entry' : 'entries'}, ${binaries.reduce((n, b) => n + b.targets.length, 0)} target repositories` : '';
        process.stdout.write(`${flags.config}: valid — ${work.length} image(s) selected, ${work.reduce((n, w) => n + w.targets.length, 0)} target repositories${published}\n`);
      }
      setExit(0);
    });
}

/** Builds `schema`: the JSON Schema of mirrors.yaml, for editors and CI linters. */
export function schemaCommand(setExit: (code: number) => void): Command {
  return new Command('schema').description('print the JSON Schema of mirrors.yaml').addOption(unreadConfigOption()).action(() => {
    process.stdout.write(`${JSON.stringify(mirrorsSchema, null, 2)}\n`);
    setExit(0);
  });
}
