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
 * Shows `regmirror ARGS`, runs it with the given extra environment, output straight to the
 * terminal; `expect` is the exit code this step must give.
 */
export async function regmirror(args, { expect = 0, env = {} } = {}) {
  showCommand(`regmirror ${args.map(quote).join(' ')}`);
  const result = await execa('node', [BIN, ...args], { cwd: ROOT, env, reject: false, stdio: 'inherit' });
  if (result.exitCode !== expect) {
    throw new DemoError(`\`regmirror ${args.join(' ')}\` exited ${result.exitCode ?? result.signal}, expected ${expect}`);
  }
}

function quote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
