#!/usr/bin/env node
// The CLI as built by `npm run build`: dist/ bundled into bundle/regmirror.cjs (scripts/bundle.mjs),
// run through V8's code cache (compile-cache.js) so that a command run before starts compiled.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cacheDir, commandOf, loadWithCache } from './compile-cache.js';

const bundle = fileURLToPath(new URL('../bundle/regmirror.cjs', import.meta.url));
if (!existsSync(bundle)) {
  // A checkout compiled with tsc alone has dist/ but no bundle: say what to run, not a stack.
  process.stderr.write('regmirror: bundle/regmirror.cjs is missing: run `npm run build`\n');
  process.exit(2);
}
const args = process.argv.slice(2);
const verbose = args.includes('-v') || args.includes('--verbose');
let main;
if (verbose || process.env.REGMIRROR_NO_COMPILE_CACHE === '1') {
  // A stack trace (printed only with -v) then names src/*.ts lines, not the bundle's: Node maps
  // the lines of a file it loads itself, not of one compiled from a cache.
  if (verbose) process.setSourceMapsEnabled(true);
  ({ main } = createRequire(import.meta.url)(bundle));
} else {
  ({ main } = loadWithCache(bundle, cacheDir(), commandOf(args)));
}

// A reader that stops early (`regmirror validate | head`) ends the run quietly, as it does any
// Unix filter, instead of an unhandled EPIPE with a stack trace.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv);
// An interrupted run (130) has said everything; a connection still being opened to a host that
// never answers would hold the process until undici's connect timeout (10 s), unseen but felt.
if (process.exitCode === 130) process.exit(130);
