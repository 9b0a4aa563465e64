// Regexes a user wrote (mirrors.yaml's tag rules, --filter and publish globs): one that backtracks
// catastrophically (`(a+)+$` against a long tag, or a glob of many stars) would hang a run for
// hours in V8's backtracking engine. Past its backtrack budget (50,000) V8 runs such a regex in its
// linear-time engine instead: the same matches, in bounded time (regexes with backreferences or
// lookarounds, which that engine lacks, keep backtracking). The V8 flag that says so is set as the
// first of them is compiled, not as the CLI starts: V8 refuses a code cache made under other flags,
// Node's own for its built-in modules among them, so each built-in a run loads after the flag is
// compiled from source (about 40 ms of CPU a run, with the flag set at start-up). For the same
// reason bin/compile-cache.js unsets it before it makes the bundle's cache.
import { setFlagsFromString } from 'node:v8';

let armed = false;

/** `new RegExp(source)`, with V8's fall-back to its linear-time engine armed first. */
export function userRegExp(source: string): RegExp {
  if (!armed) {
    setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
    armed = true;
  }
  return new RegExp(source);
}
