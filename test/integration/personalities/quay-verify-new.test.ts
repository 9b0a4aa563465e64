// verify of a quay.io target repository that sync has not created yet. verify asks the targets'
// token service for pull only (an audit's account may be read-only), and quay.io answers a
// pull-only listing of an absent repository with 401, as for one hidden from us: every row said
// `error` "repository absent or access denied", exit 3 (audit incomplete), where the target was
// reached and authenticated fine and the tags are simply not there yet (`missing`, drift, exit 1).
// A refused pull-only listing is now asked again with pull,push, as plan does; credentials that
// may only pull keep the first refusal's line (not "may pull but not push", which is sync's concern).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml, DST_CREDENTIALS } from '../../harness/tls-bed.js';
import { quay } from '../../harness/personalities/quay.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry; // token auth, like quay.io; `reader` may pull only
let pDst: FaultProxy;
const quayDst = quay();
let config: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true, auth: 'token', readOnlyUsers: ['reader'] })]);
  pDst = await proxyFor(dst, { personalities: [quayDst.play] });
  await seedImage({ url: src.url }, { repository: 'jetstack/newapp', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 2 });
  config = await writeConfig(await scratchDir('quay-verify-new'), `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
  referrers: false
${registriesYaml([src, [dst, DST_CREDENTIALS]])}images:
  - source: ${src.host}/jetstack/newapp
`);
});

after(async () => {
  await pDst?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

const verify = (user: string, ...args: string[]) =>
  runCli(['verify', '-c', config, '--no-progress', '--format', 'json', '--endpoint', `${dst.host}=${pDst.url}`, ...args], { env: { DST_USER: user, DST_PASS: dst.users[user]! } });

test('verify of a quay.io repository not created yet: every tag missing (drift, exit 1), not an audit error', { timeout: 120_000 }, async () => {
  const run = await verify('admin');
  assert.ok(quayDst.stats.hidden > 0, 'the personality answered the pull-only listing with 401');
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  const rows = (JSON.parse(run.stdout) as { results: { tag: string; targets: { status: string; detail: string }[] }[] }).results;
  assert.deepEqual(rows.map((r) => [r.tag, r.targets.map((t) => t.status)]), [['v1.0.0', ['missing']], ['v1.1.0', ['missing']]]);
  assert.doesNotMatch(run.stderr, /absent or access denied/);
});

test('read-only credentials: the pull refusal stands (exit 3), said as the listing was refused, not as a push', { timeout: 120_000 }, async () => {
  const run = await verify('reader');
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  const rows = (JSON.parse(run.stdout) as { results: { targets: { status: string; detail: string }[] }[] }).results;
  const details = rows.flatMap((r) => r.targets.map((t) => `${t.status} ${t.detail}`));
  assert.ok(details.length > 0);
  for (const d of details) assert.match(d, /^error cannot list tags: .*cert-manager\/newapp: repository absent or access denied \(GET answered 401 after authenticating\)/);
  assert.doesNotMatch(run.stdout + run.stderr, /may pull but not push/);
});

test('verify --tag, which asks the target for the tag by HEAD: the repository not created yet is missing there too (exit 1)', { timeout: 120_000 }, async () => {
  const run = await verify('admin', '--tag', 'v1.1.0');
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  const rows = (JSON.parse(run.stdout) as { results: { tag: string; targets: { status: string }[] }[] }).results;
  assert.deepEqual(rows.map((r) => [r.tag, r.targets.map((t) => t.status)]), [['v1.1.0', ['missing']]]);
  const reader = await verify('reader', '--tag', 'v1.1.0');
  assert.equal(reader.exitCode, 3, reader.stderr + reader.stdout);
  assert.match(reader.stdout, /repository absent or access denied/);
});
