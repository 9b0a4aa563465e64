#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// A reader that stops early (`regmirror validate | head`) ends the run quietly, as it does any
// Unix filter, instead of an unhandled EPIPE with a stack trace.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv);
