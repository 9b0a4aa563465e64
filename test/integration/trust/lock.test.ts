// The digest record end to end: the real CLI against real registries. A first sync records every
// mirrored tag; runs that change nothing leave the file byte-identical; a source tag retargeted
// between runs is held as source-moved (nothing pushed, record unchanged, exit 1) until
// --accept-moved; verify --lock audits the targets against the record, even with the source down.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { deleteManifest, getManifestDigest, seedImage, type PushTarget } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import type { SyncReport, VerifyReport } from '../../../src/report/model.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let dir: string;
let config: string;
let lockFile: string;
const digests: Record<string, string> = {};
const push = (r: RunningRegistry): PushTarget => ({ url: r.url });
const source = () => `${src.host}/jetstack/app`;
const targets = () => [`${dst.host}/cert-manager/app`, `${dst.host}/backup/app`];

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('lock');
  for (const img of await seedImage(push(src), { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', single: true })) digests[img.tag] = img.digest;
  lockFile = join(dir, 'mirrors.lock');
  config = await writeConfig(dir, `version: 1
lock: ./mirrors.lock
defaults:
  targets: [${dst.host}/cert-manager, ${dst.host}/backup]
${registriesYaml([src, dst])}images:
  - source: ${source()}
`);
});

after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

async function sync(...args: string[]): Promise<{ exitCode: number | undefined; report: SyncReport; stderr: string }> {
  const file = join(dir, `sync-${Math.random().toString(36).slice(2)}.json`);
  const run = await runCli(['sync', '-c', config, '--report', file, '--no-progress', ...args]);
  return { exitCode: run.exitCode, report: JSON.parse(await readFile(file, 'utf8')) as SyncReport, stderr: run.stderr + run.stdout };
}

test('the first sync records every mirrored tag; a sync that changes nothing leaves the file byte-identical', { timeout: 300_000 }, async () => {
  const first = await sync();
  assert.equal(first.exitCode, 0, first.stderr);
  const text = await readFile(lockFile, 'utf8');
  const lock = JSON.parse(text) as { version: number; images: Record<string, Record<string, { digest: string; recordedAt: string }>> };
  assert.deepEqual(Object.keys(lock.images), [source()]);
  assert.deepEqual(Object.keys(lock.images[source()]!), ['v1.0.0', 'v1.1.0']);
  assert.equal(lock.images[source()]!['v1.0.0']!.digest, digests['v1.0.0']);
  assert.match(lock.images[source()]!['v1.1.0']!.recordedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(text.endsWith('}\n') && text.includes('\n  "images": {\n'), 'two-space JSON with a trailing newline');
  const again = await sync();
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal(await readFile(lockFile, 'utf8'), text, 'byte-identical when nothing changed');
});

test('a source tag retargeted between syncs is held as source-moved, reported by verify --lock, then accepted', { timeout: 300_000 }, async () => {
  const before = await readFile(lockFile, 'utf8');
  const [moved] = await seedImage(push(src), { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true, seed: 'rebuilt' });
  assert.notEqual(moved!.digest, digests['v1.0.0']);

  const held = await sync();
  assert.equal(held.exitCode, 1, held.stderr);
  const row = held.report.results.find((r) => r.tag === 'v1.0.0')!;
  assert.deepEqual(row.targets.map((t) => t.action), ['source-moved', 'source-moved']);
  assert.match(row.targets[0]!.detail, new RegExp(`recorded ${digests['v1.0.0']}.*source now ${moved!.digest}`));
  assert.equal(held.report.results.find((r) => r.tag === 'v1.1.0')!.targets[0]!.action, 'skip');
  for (const t of ['cert-manager/app', 'backup/app']) assert.equal(await getManifestDigest(push(dst), t, 'v1.0.0'), digests['v1.0.0'], `${t}: nothing pushed`);
  assert.equal(await readFile(lockFile, 'utf8'), before, 'record unchanged');

  const audit = await runCli(['verify', '-c', config, '--lock', '--format', 'json', '--no-progress']);
  assert.equal(audit.exitCode, 1, audit.stderr);
  const report = JSON.parse(audit.stdout) as VerifyReport;
  const v100 = report.results.find((r) => r.tag === 'v1.0.0')!;
  assert.deepEqual(v100.targets.map((t) => t.status), ['source-moved', 'source-moved']);
  assert.match(v100.targets[0]!.detail, /target holds the recorded digest/);
  // Without --lock, the same move is an ordinary mismatch.
  const plain = JSON.parse((await runCli(['verify', '-c', config, '--format', 'json', '--no-progress'])).stdout) as VerifyReport;
  assert.equal(plain.results.find((r) => r.tag === 'v1.0.0')!.targets[0]!.status, 'mismatch');
  // Its advice must not be --force alone, which sync answers by holding the tag again (exit 1).
  const table = await runCli(['verify', '-c', config, '--no-progress']);
  assert.match(table.stdout, /next: .*mismatches need `regmirror sync --force` \(with a `lock:` in mirrors\.yaml, a tag the source moved needs `--accept-moved TAG` instead: `regmirror verify --lock` names them\)/);
  assert.equal((await sync('--force')).report.results.find((r) => r.tag === 'v1.0.0')!.targets[0]!.action, 'source-moved');

  const accepted = await sync('--accept-moved', 'v1.0.0');
  assert.equal(accepted.exitCode, 0, accepted.stderr);
  assert.deepEqual(accepted.report.results.find((r) => r.tag === 'v1.0.0')!.targets.map((t) => t.action), ['forced', 'forced']);
  for (const t of targets()) assert.equal(await skopeoDigest(`${t}:v1.0.0`), moved!.digest, `${t} retargeted`);
  const lock = JSON.parse(await readFile(lockFile, 'utf8')) as { images: Record<string, Record<string, { digest: string; recordedAt: string }>> };
  assert.equal(lock.images[source()]!['v1.0.0']!.digest, moved!.digest);
  assert.deepEqual(lock.images[source()]!['v1.1.0'], (JSON.parse(before) as typeof lock).images[source()]!['v1.1.0'], 'other entries keep their first date');
  const settled = await readFile(lockFile, 'utf8');
  assert.equal((await sync()).exitCode, 0);
  assert.equal(await readFile(lockFile, 'utf8'), settled);
});

test('verify --lock audits the targets against the record when the source is down', { timeout: 300_000 }, async () => {
  const down = ['--endpoint', `${src.host}=http://127.0.0.1:9`];
  const run = await runCli(['verify', '-c', config, '--lock', '--format', 'json', '--no-progress', ...down]);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.match(run.stderr, /targets audited against the lock only/);
  const report = JSON.parse(run.stdout) as VerifyReport;
  assert.deepEqual(report.results.map((r) => r.tag).sort(), ['v1.0.0', 'v1.1.0']);
  assert.ok(report.results.every((r) => r.targets.length === 2 && r.targets.every((t) => t.status === 'in-sync')), run.stdout);
  // A target that drifted from the record is found without the source.
  await seedImage(push(dst), { repository: 'backup/app', tags: ['v1.1.0'], format: 'oci', single: true, seed: 'tampered' });
  const drift = await runCli(['verify', '-c', config, '--lock', '--format', 'json', '--no-progress', ...down]);
  assert.equal(drift.exitCode, 1, drift.stderr);
  const row = (JSON.parse(drift.stdout) as VerifyReport).results.find((r) => r.tag === 'v1.1.0')!;
  assert.deepEqual(row.targets.map((t) => t.status), ['in-sync', 'mismatch']);
  assert.match(row.targets[1]!.detail, new RegExp(`the lock records ${digests['v1.1.0']}`));
  // Without --lock the same outage is an incomplete audit.
  assert.equal((await runCli(['verify', '-c', config, '--no-progress', ...down])).exitCode, 3);
});

test('verify --lock: a recorded tag the source deleted is source-moved, not extra', { timeout: 300_000 }, async () => {
  await deleteManifest(push(src), 'jetstack/app', 'v1.1.0');
  const run = await runCli(['verify', '-c', config, '--lock', '--format', 'json', '--no-progress']);
  assert.equal(run.exitCode, 1, run.stderr);
  const row = (JSON.parse(run.stdout) as VerifyReport).results.find((r) => r.tag === 'v1.1.0')!;
  assert.deepEqual(row.targets.map((t) => t.status), ['source-moved', 'source-moved']);
  assert.match(row.targets[0]!.detail, /the source no longer has the tag; target holds the recorded digest/);
  const asked = JSON.parse((await runCli(['verify', '-c', config, '--lock', '--tag', 'v1.1.0', '--format', 'json', '--no-progress'])).stdout) as VerifyReport;
  assert.deepEqual(asked.results.map((r) => `${r.tag}:${r.targets.map((t) => t.status).join(',')}`), ['v1.1.0:source-moved,source-moved']);
  const plain = JSON.parse((await runCli(['verify', '-c', config, '--format', 'json', '--no-progress'])).stdout) as VerifyReport;
  assert.equal(plain.results.find((r) => r.tag === 'v1.1.0')!.targets[0]!.status, 'extra');
});

test('--accept-moved and --lock without a lock in mirrors.yaml are usage errors before any request', async () => {
  const bare = await writeConfig(join(dir, 'bare'), `version: 1\ndefaults:\n  targets: [${dst.host}/cert-manager]\n${registriesYaml([src, dst])}images:\n  - source: ${source()}\n`);
  const down = ['--endpoint', `${src.host}=http://127.0.0.1:9`, '--endpoint', `${dst.host}=http://127.0.0.1:9`];
  const sync = await runCli(['sync', '-c', bare, '--accept-moved', 'v1.0.0', ...down]);
  assert.equal(sync.exitCode, 2, sync.stderr);
  assert.match(sync.stderr, /--accept-moved needs a digest record: add `lock: \.\/mirrors\.lock`/);
  const verify = await runCli(['verify', '-c', bare, '--lock', ...down]);
  assert.equal(verify.exitCode, 2, verify.stderr);
  assert.match(verify.stderr, /--lock needs a digest record/);
});
