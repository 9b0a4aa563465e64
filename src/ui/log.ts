// One logger for the whole process: stderr, redacted, with -q/-v levels.
import { redact } from './redact.js';
import { inGitHubActions, workflowCommand } from './workflow-commands.js';

export type Level = 'quiet' | 'normal' | 'verbose';

/** -q / -v as a logger level. */
export function levelOf(flags: { quiet?: boolean; verbose?: boolean }): Level {
  return flags.verbose ? 'verbose' : flags.quiet ? 'quiet' : 'normal';
}

/** What lower layers may say; they never write to the terminal themselves. */
export interface Logger {
  /** False when debug() says nothing, so a hot path can skip building its message. */
  readonly verbose?: boolean;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Builds the process logger. `warnOnce` keys are remembered so a warning is said once per run, and
 * so are error lines: `errorWithin` finds one that a later text repeats (a row's failure reason).
 */
export function createLogger(level: Level, write: (line: string) => void = (l) => process.stderr.write(l), github = inGitHubActions()): Logger & {
  warnOnce(key: string, message: string): void;
  errorWithin(text: string): string | undefined;
} {
  const said = new Set<string>();
  const errors: string[] = [];
  const out = (prefix: string, message: string) => write(`${prefix}${redact(message)}\n`);
  const logger = {
    verbose: level === 'verbose',
    debug: (m: string) => level === 'verbose' && out('debug: ', m),
    info: (m: string) => level !== 'quiet' && out('', m),
    // In a GitHub Actions step a warning is an annotation (escaped: it may quote a registry).
    warn: (m: string) => (github ? write(workflowCommand('warning', {}, redact(m))) : out('warning: ', m)),
    error: (m: string) => {
      errors.push(m);
      out('error: ', m);
    },
    errorWithin: (text: string) => errors.find((m) => text.includes(m)),
    warnOnce(key: string, m: string) {
      if (said.has(key)) return;
      said.add(key);
      logger.warn(m);
    },
  };
  return logger;
}

/** A logger that says nothing (library default, tests). */
export const silentLogger: Logger = { verbose: false, debug() {}, info() {}, warn() {}, error() {} };
