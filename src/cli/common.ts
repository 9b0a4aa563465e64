// Flags every command shares (SPEC "Common options"), and their parsing into plain values.
import { Command, Option } from 'commander';
import { UsageError } from '../types/errors.js';
import { isValidHost } from '../types/reference.js';
import { parseShard, shardFromEnv } from '../config/workitems.js';
import { endpointProblem } from '../config/registries.js';
import { bracketHint } from '../types/host.js';
import type { Config } from '../config/model.js';
import type { Format } from '../report/render.js';

/** The common flags after commander has parsed them. */
export interface CommonFlags {
  config: string;
  filter: string[];
  tag: string[];
  shard?: string;
  concurrency?: string;
  endpoint: string[];
  format?: Format;
  output?: string;
  quiet?: boolean;
  verbose?: boolean;
  progress: boolean;
  progressInterval?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `-c, --config FILE` for a command that reads no mirrors.yaml (`schema`, `report …`): SPEC puts
 * it on every command, so a script that passes it to each of them is not refused; not in --help.
 */
export function unreadConfigOption(): Option {
  return new Option('-c, --config <file>', 'accepted on every command; this one reads no mirrors.yaml').hideHelp();
}

/** Adds the shared flags to a command. */
export function withCommon(cmd: Command, opts: { format?: Format } = {}): Command {
  return cmd
    .option('-c, --config <file>', 'mirrors.yaml to read', './mirrors.yaml')
    .option('--filter <glob>', 'only repositories whose name matches (repeatable)', collect, [])
    .option('--tag <tag>', 'only these tags (repeatable)', collect, [])
    .option('--shard <k/n>', 'only the k-th of n disjoint parts of the (repository, tag) work; auto = from JOB_COMPLETION_INDEX/JOB_COMPLETIONS')
    .option('--concurrency <n>', 'image copies / checks in flight at once (default: sync 32, verify 16; 8 for publish and for copies by skopeo)')
    .option('--endpoint <host=url>', 'send requests for HOST to URL, e.g. quay.io=http://127.0.0.1:5000 (repeatable)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown', 'junit', 'html']).default(opts.format ?? 'table'))
    .option('-o, --output <file>', 'write the report to FILE instead of standard output')
    .option('-q, --quiet', 'print only warnings, errors and the result')
    .option('-v, --verbose', 'print every request (credentials redacted) and stack traces')
    .option('--no-progress', 'no spinner, even on a terminal')
    .option('--progress-interval <seconds>', 'not a terminal: seconds between progress lines (default 10)');
}

/** --endpoint HOST=URL flags as a map. */
export function parseEndpoints(values: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const v of values) {
    const eq = v.indexOf('=');
    const host = v.slice(0, eq);
    const url = v.slice(eq + 1);
    if (eq <= 0 || !isValidHost(host)) throw new UsageError(`--endpoint "${v}": expected HOST=URL, e.g. quay.io=http://127.0.0.1:5000${eq > 0 ? bracketHint(host, v) : ''}`);
    const problem = endpointProblem(url);
    if (problem) throw new UsageError(`--endpoint "${v}": ${problem.replace(/write (\S+:\/\/)/, `write ${host}=$1`)}`);
    map.set(host, url.replace(/\/+$/, ''));
  }
  return map;
}

/**
 * An http:// --endpoint speaks plain HTTP as written (the README's redirect of a host to a local
 * registry), so a caFile or `tls: insecure` mirrors.yaml sets for that host goes unused: one line
 * each, since the flag wins over the file (mirrors.yaml refuses the two together in one place).
 */
export function unusedTlsWarnings(config: Pick<Config, 'file' | 'registries'>, endpoints: ReadonlyMap<string, string>): string[] {
  return [...endpoints].flatMap(([host, url]) => {
    const r = config.registries.get(host);
    const setting = r?.caFile !== undefined ? 'caFile' : r?.tls === 'insecure' ? 'tls: insecure' : undefined;
    if (!setting || !/^http:/i.test(url)) return [];
    const at = r?.position ? ` (${config.file}:${r.position.line}:${r.position.col})` : '';
    return [`${host}: --endpoint ${url} speaks plain HTTP, so its \`${setting}\`${at} is not used; give an https:// URL to use it`];
  });
}

/** --concurrency as a positive integer. */
export function parseConcurrency(value: string | undefined, fallback = 8): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new UsageError(`--concurrency "${value}": expected a whole number from 1 to 1024`);
  return n;
}

/** --shard K/N or --shard auto (from JOB_COMPLETION_INDEX / JOB_COMPLETIONS), when given. */
export function shardOf(value: string | undefined, env: Record<string, string | undefined> = process.env): { index: number; count: number } | undefined {
  if (value === undefined) return undefined;
  return value.trim() === 'auto' ? shardFromEnv(env) : parseShard(value);
}

/** --progress-interval in milliseconds (default 10 s). */
export function parseProgressInterval(value: string | undefined): number {
  if (value === undefined) return 10_000;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400) throw new UsageError(`--progress-interval "${value}": expected seconds, e.g. 10 or 0.5`);
  return n * 1000;
}
