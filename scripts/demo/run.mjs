// Runs the real CLI (`node bin/regmirror.js`) as a user would, output straight to the terminal,
// and stops the demo when the exit code is not the one this step must give.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { showCommand } from './ui.mjs';

/** The repository root: where `bin/regmirror.js` is and where the demo runs commands. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/regmirror.js', import.meta.url));

/** A step that did not behave as the demo expects; the demo exits non-zero (it doubles as a smoke test). */
export class DemoError extends Error {}

/**
 * Shows `regmirror ARGS` and runs it with the given extra environment; `expect` is the exit code
 * this step must give. `hidden: true` runs it without showing the command or its output.
 */
export async function regmirror(args, { expect = 0, env = {}, hidden = false } = {}) {
  if (!hidden) showCommand(`regmirror ${args.map(quote).join(' ')}`);
  const t0 = Date.now();
  const result = await execa('node', [BIN, ...args], {
    cwd: ROOT, env, reject: false,
    stdio: hidden ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  if (process.env.DEMO_TIMES) process.stderr.write(`[${args[0]} ${((Date.now() - t0) / 1000).toFixed(1)}s]\n`);
  if (result.exitCode !== expect) {
    const output = hidden ? `\n${result.stdout}\n${result.stderr}`.trimEnd() : '';
    throw new DemoError(`\`regmirror ${args.join(' ')}\` exited ${result.exitCode ?? result.signal}, expected ${expect}${output}`);
  }
  return result;
}

function quote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
