// The GitHub Action's logic (action.yml runs `node action/run.mjs`): read the inputs from
// INPUT_<NAME> variables as GitHub passes them, install regmirror from the action's own checkout
// (pack + install, as the package test and the Dockerfile do), run the command, and hand its exit
// code to later steps. regmirror itself writes the annotations, the step summary and the
// `drift`, `failed` and `report` outputs when GITHUB_ACTIONS=true.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitArgs } from './args.mjs';

const COMMANDS = ['sync', 'verify', 'publish', 'plan', 'validate', 'report'];

/** An input as GitHub names its variable: INPUT_ + upper case, spaces as `_`. */
function input(name, fallback = '') {
  const value = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

function fail(message) {
  process.stdout.write(`::error title=regmirror action::${message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`);
  setOutput('exit-code', '2');
  setOutput('error', `regmirror action: ${message}`);
  process.exit(2);
}

function setOutput(name, value) {
  if (!process.env.GITHUB_OUTPUT) return;
  const delimiter = `ghadelimiter_${randomBytes(16).toString('hex')}`;
  appendFileSync(process.env.GITHUB_OUTPUT, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

function run(command, args, opts = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (result.error) fail(`${command}: ${result.error.message}`);
  return result;
}

/** regmirror installed from this checkout into RUNNER_TEMP, once per job and checkout. */
function installed(root) {
  const key = createHash('sha256').update(root).digest('hex').slice(0, 12);
  const prefix = join(process.env.RUNNER_TEMP || tmpdir(), `regmirror-action-${key}`);
  const bin = join(prefix, 'bin', 'regmirror');
  if (existsSync(bin)) return bin;
  process.stdout.write('::group::install regmirror from the action checkout\n');
  // npm ci checks every package against package-lock.json's integrity hashes; nothing else is cached.
  if (!existsSync(join(root, 'node_modules')) && run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root }).status !== 0) fail('npm ci failed in the action checkout');
  const packed = run('bash', [join(root, 'scripts', 'pack.sh'), join(prefix, 'pack')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (packed.status !== 0) fail('npm pack failed in the action checkout');
  const tarball = packed.stdout.trim().split('\n').at(-1);
  if (run('bash', [join(root, 'scripts', 'install-package.sh'), prefix, tarball]).status !== 0) fail('installing the packed regmirror failed');
  process.stdout.write('::endgroup::\n');
  return bin;
}

const root = process.env.GITHUB_ACTION_PATH || dirname(dirname(fileURLToPath(import.meta.url)));
const command = input('command', 'verify');
if (!COMMANDS.includes(command)) fail(`input command: "${command}" is not one of ${COMMANDS.join(', ')}`);
let args;
try {
  args = splitArgs(input('args'));
} catch (err) {
  fail(`input args: ${err.message}`);
}
const config = input('config', 'mirrors.yaml');
const argv = command === 'report' ? args : [command, '-c', config, ...args];
// A cancelled job signals the step's whole process group: regmirror stops cleanly (exit 130) and
// this wrapper, which would die of the signal at once, waits for it to record its exit code.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});
const result = run(installed(root), argv, { env: { ...process.env, GITHUB_ACTIONS: process.env.GITHUB_ACTIONS ?? 'true' } });
const code = result.status ?? (result.signal ? 128 + (constants.signals[result.signal] ?? 0) : 1);
setOutput('exit-code', String(code));
process.exit(code);
