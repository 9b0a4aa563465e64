#!/usr/bin/env node
// The CLI as built by `npm run build`: dist/ bundled into bundle/ (scripts/bundle.mjs), since
// loading one chunk per command path starts a run a tenth of a second sooner than dist/'s files.
import { fileURLToPath } from 'node:url';

if (process.argv.includes('-v') || process.argv.includes('--verbose')) {
  // A stack trace (printed only with -v) then names src/*.ts lines, not the bundle's.
  process.setSourceMapsEnabled(true);
}
const entry = new URL('../bundle/main.js', import.meta.url);
const { main } = await import(entry.href).catch((err) => {
  // A checkout compiled with tsc alone has dist/ but no bundle: say what to run, not a stack.
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes(fileURLToPath(entry))) throw err;
  process.stderr.write('regmirror: bundle/main.js is missing: run `npm run build`\n');
  process.exit(2);
});

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
