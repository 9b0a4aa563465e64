// Bundles the compiled CLI (dist/cli/main.js and everything it imports, dependencies included)
// into one CommonJS file, bundle/regmirror.cjs, which bin/regmirror.js runs: `node
// scripts/bundle.mjs`, after tsc. One file because bin runs it through V8's code cache
// (bin/compile-cache.js), which Node 20 offers for scripts, not for ES modules: a run whose
// command has run before starts from compiled code instead of parsing 2 MB of JavaScript. Each
// `await import()` stays lazy: esbuild evaluates the modules behind it only when that path runs
// (serve's metrics, skopeo's execa, the HTML report), as dist/ does.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/main.js'],
  outfile: join(outdir, 'regmirror.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // src/version.ts finds package.json from import.meta.url, which a CommonJS file lacks: the
  // bundle's own URL stands in (bundle/ sits where dist/ did, beside package.json).
  define: { 'import.meta.url': 'regmirrorBundleUrl' },
  banner: { js: "const regmirrorBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // A linked map through dist/'s own maps back to src/: bin turns it on for -v's stack traces.
  sourcemap: 'linked',
  logLevel: 'warning',
});
