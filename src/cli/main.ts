// Entry point: commander wiring, and the one place errors become exit codes and one-line
// messages (SPEC: "Errors are one clear line … never a stack trace unless -v").
import { Command, CommanderError } from 'commander';
import { AbortedError, AuthError, ConfigError, RegmirrorError, UnreachableError, UsageError } from '../types/errors.js';
import { redact } from '../ui/redact.js';
import { inGitHubActions, workflowCommand } from '../ui/workflow-commands.js';
import { errorToGitHub } from './github.js';
import { publishCommand } from './commands/publish.js';
import { reportCommand } from './commands/report.js';
import { syncCommand } from './commands/sync.js';
import { schemaCommand, validateCommand } from './commands/validate.js';
import { serveCommand } from './commands/serve.js';
import { verifyCommand } from './commands/verify.js';
import { VERSION } from '../version.js';

/** Runs the CLI and returns the exit code (bin/regmirror.js sets process.exitCode). */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  const settled = lastResort(verbose);
  let code = 0;
  const setExit = (c: number) => (code = c);
  const program = new Command('regmirror')
    .description('Mirror released container images, Helm charts and binaries to every registry, and prove every copy by digest.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const cmd of [
    validateCommand(setExit),
    syncCommand(setExit, true),
    syncCommand(setExit, false),
    verifyCommand(setExit),
    publishCommand(setExit),
    reportCommand(setExit),
    schemaCommand(setExit),
    serveCommand(setExit),
  ]) {
    program.addCommand(cmd.exitOverride());
  }
  for (const sub of program.commands.find((c) => c.name() === 'report')?.commands ?? []) sub.exitOverride();
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    return await failure(err, verbose);
  } finally {
    settled();
  }
}

/**
 * A fault that escapes every layer (an error thrown inside a library's callback, a promise
 * nobody awaited, work left waiting on itself) still ends as one line and exit 1, not Node's
 * stack trace or silence (SPEC). The run stops there: what was copied stays, and a rerun resumes.
 * Returns what to call once the command has settled.
 */
function lastResort(verbose: boolean): () => void {
  const stop = (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${redact(`regmirror: internal error: ${message}; the run stopped (a rerun resumes). Please report it${verbose ? '' : ', with the stack trace from -v'}`)}\n`);
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${redact(err.stack)}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', stop);
  process.on('unhandledRejection', stop);
  // Promises that wait only on one another (a deadlock) leave Node nothing to run: it would end
  // the process with exit 13 (an unsettled top-level await) and not a word, report unwritten.
  const deadlock = () => stop(new Error('work was left waiting on itself, with nothing to run it (a deadlock)'));
  process.on('beforeExit', deadlock);
  return () => process.off('beforeExit', deadlock);
}

/** Prints one line for `err` (a step output too, in GitHub Actions) and chooses the exit code. */
async function failure(err: unknown, verbose: boolean): Promise<number> {
  if (err instanceof CommanderError) {
    // commander already printed its message (or the help text).
    if (err.exitCode !== 0) await errorToGitHub(`regmirror: ${err.message.replace(/^error: /, '')}`);
    return err.exitCode === 0 ? 0 : 2;
  }
  // In a GitHub Actions step the one line is an error annotation (escaped: it may quote a registry).
  const say = (line: string) => process.stderr.write(inGitHubActions() ? workflowCommand('error', { title: 'regmirror' }, redact(line)) : `${redact(line)}\n`);
  const line = err instanceof ConfigError ? err.message : `regmirror: ${err instanceof RegmirrorError || err instanceof Error ? err.message : String(err)}`;
  say(line);
  await errorToGitHub(line);
  if (verbose && err instanceof Error && err.stack) say(err.stack);
  if (err instanceof ConfigError || err instanceof UsageError) return 2;
  if (err instanceof UnreachableError || err instanceof AuthError) return 3;
  if (err instanceof AbortedError) return 130;
  return 1;
}
