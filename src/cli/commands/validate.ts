// `regmirror validate` and `regmirror schema`: the config alone, no network.
import { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { mirrorsSchema } from '../../config/schema.js';
import { describeConfig } from '../../config/describe.js';
import { imageWork } from '../../config/workitems.js';

/** Builds `validate`: parse and check the config, print what it selects. */
export function validateCommand(setExit: (code: number) => void): Command {
  return new Command('validate')
    .description('parse and check mirrors.yaml and print what it selects (no network)')
    .option('-c, --config <file>', 'mirrors.yaml to read', './mirrors.yaml')
    .option('--filter <glob>', 'only repositories whose name matches (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('-q, --quiet', 'print nothing when valid')
    .action(async (flags: { config: string; filter: string[]; quiet?: boolean }) => {
      const config = await loadConfig(flags.config);
      const work = imageWork(config, flags.filter);
      if (!flags.quiet) {
        process.stdout.write(`${describeConfig(config)}\n`);
        process.stdout.write(`${flags.config}: valid — ${work.length} image(s) selected, ${work.reduce((n, w) => n + w.targets.length, 0)} target repositories\n`);
      }
      setExit(0);
    });
}

/** Builds `schema`: the JSON Schema of mirrors.yaml, for editors and CI linters. */
export function schemaCommand(setExit: (code: number) => void): Command {
  return new Command('schema').description('print the JSON Schema of mirrors.yaml').action(() => {
    process.stdout.write(`${JSON.stringify(mirrorsSchema, null, 2)}\n`);
    setExit(0);
  });
}
