// Runs the bundle through V8's code cache, which Node 20 offers for scripts (vm.Script's
// cachedData) and not for ES modules (module.enableCompileCache is Node 22's). Parsing and
// compiling the bundle's 3 MB is most of what a run does before its first request; a cache made
// by an earlier run of the same command skips it, and the functions that run compiled then.
// One cache per command (each compiles its own paths), per bundle, Node and Node's options: V8
// refuses a cache made under other flags or by another V8 (runs with and without an option would
// each replace the other's), and the key keeps another bundle's cache from being offered (V8
// checks a source's length, not its bytes).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import vm from 'node:vm';

/** Where regmirror keeps compiled code: $XDG_CACHE_HOME/regmirror, else ~/.cache/regmirror. */
export function cacheDir(env = process.env) {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'regmirror');
}

/** The cache's name for a run's command: its first word, when it is one (`sync`, `verify`). */
export function commandOf(args) {
  const word = args.find((a) => !a.startsWith('-'));
  return word && /^[a-z][a-z-]{0,19}$/.test(word) ? word : 'none';
}

/**
 * The exports of the CommonJS bundle at `file`, compiled from the cache in `dir` for `command`
 * when V8 takes it. A run that found none (or one V8 refused) leaves one behind if it exits 0:
 * a run that failed early compiled too little of its command to be worth keeping.
 */
export function loadWithCache(file, dir, command) {
  const bytes = readFileSync(file);
  const source = bytes.toString('utf8');
  const key = createHash('sha256').update(bytes).update(`\0${process.version}\0${process.arch}\0${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}`).digest('hex').slice(0, 16);
  const path = join(dir, `${key}-${command}.v8`);
  let cachedData;
  try {
    cachedData = readFileSync(path);
  } catch {
    // none yet: this run makes it
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  if (!cachedData || script.cachedDataRejected) {
    process.once('exit', (code) => {
      if (code !== 0) return;
      // A run that compiled a user's regex set V8's flag for its linear-time fall-back
      // (src/config/user-regex.ts): unset, the cache is made under the flags the next run starts with.
      setFlagsFromString('--no-enable-experimental-regexp-engine-on-excessive-backtracks');
      save(dir, path, key, () => script.createCachedData());
    });
  }
  return module.exports;
}

// Other builds' caches (and a killed run's partial file) this old are removed when a cache is
// written: a rebuild leaves its predecessor's behind, while two checkouts in use side by side keep
// theirs.
const STALE_MS = 60 * 60 * 1000;

/** Writes the cache (whole or not at all: a rename), then removes other builds' stale ones. */
function save(dir, path, key, data) {
  try {
    mkdirSync(dir, { recursive: true });
    const part = `${path}.${process.pid}.part`;
    writeFileSync(part, data());
    renameSync(part, path);
    for (const name of readdirSync(dir)) {
      const other = join(dir, name);
      if ((!name.startsWith(key) || name.endsWith('.part')) && Date.now() - statSync(other).mtimeMs > STALE_MS) unlinkSync(other);
    }
  } catch {
    // A cache only saves time: a read-only home or a full disk changes nothing else.
  }
}
