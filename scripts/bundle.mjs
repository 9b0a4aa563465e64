// Bundles the compiled CLI (dist/cli/main.js and everything it imports, dependencies included)
// into bundle/, which bin/regmirror.js runs: `node scripts/bundle.mjs`, after tsc. Resolving and
// reading ~250 module files cost a sync at 20 ms a tenth of a second before its first request;
// one chunk per command path costs a few files. Each `await import()` stays a chunk of its own,
// loaded when that path runs (serve's metrics, skopeo's execa, the HTML report), as in dist/.
// bundle/meta.json says which inputs each chunk holds (the start-up test reads it).
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'bundle');
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/cli/main.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies (undici, semver, commander) call require(): give every chunk one.
  banner: { js: "import { createRequire as regmirrorCreateRequire } from 'node:module';\nconst require = regmirrorCreateRequire(import.meta.url);" },
  // Linked maps through dist/'s own maps back to src/: bin turns them on for -v's stack traces.
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
