// `regmirror serve`: the read-only pull gateway of mirrors.yaml's `gateway:` section (SPEC.md
// "Gateway"), until SIGTERM (exit 0); a missing or bad section is a config error (exit 2).
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { UsageError } from '../../types/errors.js';
import { parseEndpoints, unusedTlsWarnings } from '../common.js';
import { refuseBrokenCredentials } from '../credential-values.js';
import { insecureBesideCaFile } from '../../config/registries.js';
import { bracketHint, parseListenAddress } from '../../types/host.js';

interface ServeFlags {
  config: string;
  endpoint: string[];
  listen?: string;
  timeout?: string;
  tagTtl?: string;
  clientRate?: string;
  clientTimeout?: string;
  shutdownDelay?: string;
  verifyReport?: string;
  quiet?: boolean;
  verbose?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Builds `serve`. */
export function serveCommand(setExit: (code: number) => void): Command {
  return new Command('serve')
    .description('run the read-only pull gateway of the gateway: section until SIGTERM')
    .option('-c, --config <file>', 'mirrors.yaml to read', './mirrors.yaml')
    .option('--endpoint <host=url>', 'send requests for HOST to URL (repeatable)', collect, [])
    .option('--listen <host:port>', 'override gateway.listen (port 0 = any free port)')
    .option('--timeout <seconds>', 'deadline for one backend to answer before it counts as down (default 5); the next is asked beside one silent for its hedge delay (1 s or more)')
    .option('--tag-ttl <seconds>', 'how long a tag\'s digest is trusted before asking again (default 10)')
    .option('--client-rate <n>', 'requests per second per client, burst twice that (default 50; 0 = no limit)')
    .option('--client-timeout <seconds>', 'close a client connection that takes or sends nothing for this long (default 60; 0 = never)')
    .option('--shutdown-delay <seconds>', 'override gateway.shutdownDelay: after SIGTERM, serve new requests this long with /-/ready answering 503 before no longer accepting (default 5; 0 = at once)')
    .option('--verify-report <file>', 'a saved `verify --format json` report: its source digests stand in where the lock has none')
    .option('-q, --quiet', 'print only errors and the address it listens on')
    .option('-v, --verbose', 'print every backend request')
    .action(async (flags: ServeFlags) => setExit(await serve(flags)));
}

async function readReport(file: string) {
  const { parseReport } = await import('../../report/parse.js');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--verify-report ${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseReport(text, file);
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} "${value}": expected a number of seconds`);
  return n;
}

async function serve(flags: ServeFlags): Promise<number> {
  const [{ loadConfig }, { readLock }, { runServe }, { credentialsFor }, { createLogger, levelOf }, { ConfigError }, { VERSION }, { overlay, recordFromReport }] = await Promise.all([
    import('../../config/load.js'), import('../../lock/file.js'), import('../../serve/run.js'), import('../../registry/credentials.js'),
    import('../../ui/log.js'), import('../../types/errors.js'), import('../../version.js'), import('../../serve/record.js'),
  ]);
  const log = createLogger(levelOf(flags));
  const config = await loadConfig(flags.config);
  if (!config.gateway) throw new ConfigError(config.file, 1, 1, 'no gateway: section; add one (listen, host, …) to run `regmirror serve`');
  const settings = { ...config.gateway };
  if (flags.listen) {
    const address = parseListenAddress(flags.listen);
    if (!address) throw new UsageError(`--listen "${flags.listen}": expected host:port${bracketHint(flags.listen)}`);
    settings.listen = address;
  }
  const timeout = seconds(flags.timeout, '--timeout');
  const ttl = seconds(flags.tagTtl, '--tag-ttl');
  const rate = seconds(flags.clientRate, '--client-rate');
  const clientTimeout = seconds(flags.clientTimeout, '--client-timeout');
  const shutdownDelay = seconds(flags.shutdownDelay, '--shutdown-delay');
  if (shutdownDelay !== undefined) settings.shutdownDelay = shutdownDelay;
  const recorded = config.lock ? await readLock(config.lock) : { version: 1 as const, images: {} };
  const lock = flags.verifyReport ? overlay(recorded, recordFromReport(await readReport(flags.verifyReport))) : recorded;
  const controller = new AbortController();
  // runServe says what it does next; SIGINT (a person at a terminal) skips gateway.shutdownDelay.
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(signal);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  refuseBrokenCredentials(config);
  const endpoints = parseEndpoints(flags.endpoint);
  for (const line of unusedTlsWarnings(config, endpoints)) log.warnOnce(line, line);
  for (const line of insecureBesideCaFile(config)) log.warnOnce(line, line);
  try {
    await runServe(settings, {
      registries: config.registries, endpoints, credentials: credentialsFor(config.registries, { logger: log }),
      lock, logger: log, userAgent: `regmirror/${VERSION} (gateway)`, signal: controller.signal,
      ...(timeout !== undefined ? { deadlineMs: timeout * 1000 } : {}),
      ...(ttl !== undefined ? { tagTtlMs: ttl * 1000 } : {}),
      ...(rate !== undefined ? { clientRate: rate } : {}),
      ...(clientTimeout !== undefined ? { clientTimeoutMs: clientTimeout * 1000 } : {}),
      // Said even with -q: scripts and tests wait for this line to learn the port.
      onListening: (url) => process.stderr.write(`regmirror serve: listening on ${url} (${settings.images.length} image(s), ${settings.binaries.length} binary(ies))\n`),
    });
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
  return 0;
}
