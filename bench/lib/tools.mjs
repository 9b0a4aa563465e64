// The two contenders as a user would run them: regmirror with a mirrors.yaml, and skopeo from
// shell scripts (a sync per repository and target; an inspect loop for the audit).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempRoot } from './cleanup.mjs';

const MAIN = fileURLToPath(new URL('../..', import.meta.url));
/** The CLI under test; BENCH_REGMIRROR points at another build (e.g. a patched copy, for an A/B run). */
export const REGMIRROR = process.env.BENCH_REGMIRROR ?? join(MAIN, 'bin', 'regmirror.js');

/** Throws unless `npm run build` has made the bundle that bin/regmirror.js runs. */
export function assertBuilt() {
  if (!existsSync(join(MAIN, 'bundle', 'regmirror.cjs'))) throw new Error('bundle/ is missing: run `npm run build` first');
}

/**
 * The node flags for one contender's process, never the bench's own: BENCH_NODE_ARGS (e.g.
 * `--cpu-prof --cpu-prof-dir=DIR`) for every contender, then BENCH_BASE_NODE_ARGS for `base` alone
 * (an A/B of node flags on one build).
 */
export function contenderNodeArgs(name) {
  const split = (v) => (v ? v.split(' ') : []);
  return [...split(process.env.BENCH_NODE_ARGS), ...(name === 'base' ? split(process.env.BENCH_BASE_NODE_ARGS) : [])];
}

/** Writes a mirrors.yaml: each repo from quay.io/jetstack to `targets` (namespaces). */
export function writeMirrorsYaml(file, repos, targets, registryConcurrency) {
  const hosts = [...new Set(['quay.io', ...targets.map((t) => t.split('/')[0])])];
  const regs = registryConcurrency ? hosts.map((h) => `  ${h}:\n    concurrency: ${registryConcurrency}`).join('\n') : '';
  const text = [
    'version: 1',
    'defaults:',
    `  targets: [${targets.join(', ')}]`,
    '  tags: { semver: ">=1.0.0" }',
    '  referrers: true',
    ...(regs ? ['registries:', regs] : []),
    'images:',
    ...repos.map((r) => `  - source: quay.io/jetstack/${r}`),
    '',
  ].join('\n');
  writeFileSync(file, text);
  return file;
}

/** regmirror CLI arguments for `command` with endpoints host -> registry. */
export function regmirrorArgs(command, config, endpoints, extra = [], bin = REGMIRROR) {
  const args = [bin, command, '-c', config, '--no-progress', '-q'];
  for (const [host, reg] of Object.entries(endpoints)) args.push('--endpoint', `${host}=${reg.url}`);
  if (process.env.BENCH_CONCURRENCY) args.push('--concurrency', process.env.BENCH_CONCURRENCY);
  return [...args, ...extra];
}

/** Arguments of the bare copier (the yardstick) from the source's jetstack/ to each target's cert-manager/. */
export function bareCopierArgs(src, repos, targets) {
  const bare = join(MAIN, 'bench', 'lib', 'bare-copier.mjs');
  return [bare, src.url, 'jetstack', repos.join(','), ...targets.map((t) => `${t.url}/cert-manager`)];
}

const SYNC = 'skopeo sync --all --preserve-digests --src docker --dest docker --src-tls-verify=false --dest-tls-verify=false';
const INSPECT = 'skopeo inspect --raw --tls-verify=false';

function script(name, lines) {
  const file = join(tempRoot(), name);
  writeFileSync(file, ['#!/bin/bash', 'set -u', ...lines, ''].join('\n'), { mode: 0o755 });
  return file;
}

/** skopeo sync of every repo to every destination namespace, one after another (or one shell per repo). */
export function skopeoSyncScript(name, src, repos, dests, parallel) {
  const one = (r) => dests.map((d) => `${SYNC} ${src.host}/jetstack/${r} ${d} || exit 1`).join('\n');
  if (!parallel) return script(name, [...repos.map(one)]);
  return script(name, [
    'pids=()',
    ...repos.map((r) => `( ${dests.map((d) => `${SYNC} ${src.host}/jetstack/${r} ${d}`).join(' && ')} ) & pids+=($!)`),
    'rc=0; for p in "${pids[@]}"; do wait "$p" || rc=1; done; exit $rc',
  ]);
}

/** The audit a user would script: digest of the source tag vs each target's (sequential, or xargs -P). */
export function skopeoAuditScript(name, src, images, targets, parallel) {
  const list = join(tempRoot(), `${name}.list`);
  writeFileSync(list, images.map((i) => `${i.repo} ${i.tag}\n`).join(''));
  return script(name, [
    `digest() { ${INSPECT} "docker://$1" | sha256sum | cut -d' ' -f1; }`,
    'check() {',
    `  local s; s=$(digest ${src.host}/jetstack/$1:$2); local rc=0`,
    ...targets.map((t) => `  [ "$s" = "$(digest ${t}/$1:$2)" ] || { echo "drift ${t}/$1:$2"; rc=1; }`),
    '  return $rc',
    '}',
    parallel
      ? `export -f digest check; xargs -P4 -n2 bash -c 'check "$@"' _ < ${list}`
      : `rc=0; while read -r repo tag; do check "$repo" "$tag" || rc=1; done < ${list}; exit $rc`,
  ]);
}
