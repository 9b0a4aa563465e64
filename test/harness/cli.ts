// Runs the built CLI exactly as a user would (`node bin/regmirror.js ...`), in a child process,
// so exit codes, stdout/stderr and signal handling are tested end to end.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { scratchDir } from './scratch.js';

/** How one CLI run ended. `exitCode` is undefined when a signal ended the process. */
export interface CliResult {
  exitCode: number | undefined; stdout: string; stderr: string; signal?: string; timedOut: boolean;
  /** From the signal sent (signalAfterMs, signalOnOutput, signalWhen) to the process's exit, in ms. */
  exitAfterSignalMs?: number;
}

/** Environment, working directory, a time limit, and an optional signal sent mid-run. */
export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  signalAfterMs?: { signal: 'SIGINT' | 'SIGTERM'; ms: number };
  /** Sends `signal` once stdout or stderr matches `pattern` (no timing race, unlike signalAfterMs). */
  signalOnOutput?: { signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP'; pattern: RegExp };
  /** Sends `signal` once `when` resolves: something the test sees the run do (a connection to its server); SIGKILL as a CI job's hard timeout does. */
  signalWhen?: { signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'SIGKILL'; when: Promise<unknown> };
  input?: string;
}

let root: string | undefined;

/**
 * The regmirror checkout: $REGMIRROR_ROOT, else the nearest package.json named "regmirror" above
 * this compiled file (.build-test/...), else above the working directory (an outDir under /tmp).
 */
export function repoRoot(): string {
  root ??= process.env.REGMIRROR_ROOT ?? findUp(dirname(fileURLToPath(import.meta.url))) ?? findUp(process.cwd());
  if (!root) throw new Error('cli harness: no package.json named "regmirror" above the test build or the working directory');
  return root;
}

function findUp(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'regmirror') return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

let emptyDockerConfig: Promise<string> | undefined;

/**
 * Runs `node bin/regmirror.js ...args`. The child inherits the environment except that
 * DOCKER_CONFIG and XDG_CONFIG_HOME point at an empty directory and REGISTRY_AUTH_FILE and
 * XDG_RUNTIME_DIR are unset (podman login's files; unless `env` sets them), so the developer's own
 * registry logins never leak into a test; colours are off.
 */
export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  emptyDockerConfig ??= scratchDir('docker-config');
  const empty = await emptyDockerConfig;
  const env: Record<string, string | undefined> = {
    DOCKER_CONFIG: empty, XDG_CONFIG_HOME: empty, REGISTRY_AUTH_FILE: undefined, XDG_RUNTIME_DIR: undefined, NO_COLOR: '1', FORCE_COLOR: '0',
    // A test run inside GitHub Actions must not turn every child into an Actions step (annotations, outputs).
    GITHUB_ACTIONS: undefined, GITHUB_OUTPUT: undefined, GITHUB_STEP_SUMMARY: undefined, JOB_COMPLETION_INDEX: undefined, JOB_COMPLETIONS: undefined,
    ...opts.env,
  };
  const child = execa(process.execPath, [join(repoRoot(), 'bin', 'regmirror.js'), ...args], {
    reject: false, env, cwd: opts.cwd ?? repoRoot(), timeout: opts.timeoutMs ?? 120_000,
    input: opts.input ?? '', stripFinalNewline: false, encoding: 'utf8',
  });
  let timer: NodeJS.Timeout | undefined;
  let signalledAt: number | undefined;
  const kill = (signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'SIGKILL') => {
    signalledAt ??= Date.now();
    child.kill(signal);
  };
  if (opts.signalAfterMs) {
    const { signal, ms } = opts.signalAfterMs;
    timer = setTimeout(() => kill(signal), ms);
  }
  if (opts.signalOnOutput) {
    const { signal, pattern } = opts.signalOnOutput;
    let seen = '';
    let sent = false;
    const watch = (chunk: Buffer | string) => {
      seen += String(chunk);
      if (!sent && pattern.test(seen)) { sent = true; kill(signal); }
    };
    child.stdout?.on('data', watch);
    child.stderr?.on('data', watch);
  }
  if (opts.signalWhen) {
    const { signal, when } = opts.signalWhen;
    void when.then(() => kill(signal));
  }
  const result = await child;
  if (timer) clearTimeout(timer);
  return {
    exitCode: result.exitCode, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''),
    signal: result.signal ?? undefined, timedOut: result.timedOut ?? false,
    ...(signalledAt !== undefined ? { exitAfterSignalMs: Date.now() - signalledAt } : {}),
  };
}

/** Writes `yamlText` to `dir/name` (default mirrors.yaml), creating `dir`; returns the file's path. */
export async function writeConfig(dir: string, yamlText: string, name = 'mirrors.yaml'): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, yamlText);
  return path;
}
