// SIGINT / SIGTERM mid-run: exit 130 with a word on what was done, no tag on a partly copied
// image, a report marked partial, and a re-run that resumes without uploading again a blob the
// first run completed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { SyncReport } from '../../../src/report/model.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { listTags, seedImage } from '../../harness/seed.js';
import { testCerts } from '../../harness/tls.js';
import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { adminPush, digestDifferences, linkedBlobs, missingParts } from './helpers.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let tgt: RunningRegistry;
let proxy: FaultProxy; // in front of the target: slow uploads, and a count of every PUT
let dir: string;
const TAGS = Array.from({ length: 10 }, (_, i) => `v1.${i}.0`);
const env = () => ({ T_USER: 'admin', T_PASS: tgt.users.admin! });

before(async () => {
  // Over TLS (issue 9): HTTPS registries, and an HTTPS proxy with a certificate from the same test CA.
  [src, tgt] = await Promise.all([startRegistry({ tls: true }), startRegistry({ auth: 'htpasswd', tls: true })]);
  proxy = await startFaultProxy(tgt.url, { tls: (await testCerts()).servers.good, upstreamCa: tgt.caFile });
  dir = await scratchDir('interrupt');
  // A shared base layer, so images of the first run and the re-run have blobs in common.
  await seedImage(adminPush(src), { repository: 'jetstack/app', tags: TAGS, format: 'docker', platforms: 3, layerBytes: 8192, sharedBaseBytes: 16_384, baseSeed: 'base' });
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, tgt].map((r) => r && destroyRegistry(r)));
});

async function interruptedRun(signal: 'SIGINT' | 'SIGTERM', repo: string): Promise<{ file: string; firstTags: string[]; firstBlobs: Set<string> }> {
  const file = await writeConfig(join(dir, repo), `version: 1
defaults:
  targets: [${tgt.host}/${repo}]
registries:
  ${src.host}: { caFile: ${src.caFile} }
  ${tgt.host}:
    credentials: { usernameEnv: T_USER, passwordEnv: T_PASS }
    caFile: ${tgt.caFile}
images:
  - source: ${src.host}/jetstack/app
`);
  proxy.clear();
  proxy.resetStats();
  proxy.inject({ method: 'PUT', path: /\/blobs\/uploads\//, times: Infinity, fault: { kind: 'delay', ms: 120 } });
  const reportFile = join(dir, `${repo}.json`);
  const run = await runCli(['sync', '-c', file, '--concurrency', '2', '--report', reportFile, '--endpoint', `${tgt.host}=${proxy.url}`], {
    env: env(), signalOnOutput: { signal, pattern: /→ .*copied/ },
  });
  assert.equal(run.exitCode, 130, `exit ${run.exitCode} signal ${run.signal}\n${run.stderr}${run.stdout}`);
  assert.match(run.stderr + run.stdout, /interrupted[^\n]*\d+ copied/i, 'says what was done');
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  // Tags the signal cut short were not done, like those never started: not failures in the report
  // (nor ::error annotations, nor `failed` lines), which says what the run did finish.
  const report = JSON.parse(await readFile(reportFile, 'utf8')) as SyncReport;
  const failed = report.results.flatMap((r) => r.targets.filter((t) => t.action === 'failed').map((t) => `${r.tag} ${t.detail}`));
  assert.deepEqual(failed, [], 'tags in flight at the signal reported as failed');
  assert.doesNotMatch(run.stderr, /: failed/, 'a failed line for a tag in flight');
  // The report holds only the rows that finished, and says so: merged with other shards' reports
  // it read as a whole run before (backfill hunt), the union of the shards short of these tags.
  assert.equal(report.interrupted, true, 'the report does not say it is partial');
  const merged = join(dir, `${repo}-merged.json`);
  const merge = await runCli(['report', 'merge', reportFile, '-o', merged]);
  assert.equal(merge.exitCode, 0, merge.stderr);
  assert.equal(merge.stderr, `warning: ${reportFile}: its run was interrupted (SIGINT/SIGTERM) or never ended (killed, or still running), so it holds only the rows that finished; the merged report is partial too (marked "interrupted": true): run that command again and merge the report it writes\n`);
  assert.equal((JSON.parse(await readFile(merged, 'utf8')) as SyncReport).interrupted, true);
  const firstTags = (await listTags(adminPush(tgt), `${repo}/app`)).sort();
  assert.ok(firstTags.length >= 1 && firstTags.length < TAGS.length, `${firstTags.length} tags written: the interrupt came too late to test anything`);
  // No tag at the target points at an image with a part missing.
  for (const tag of firstTags) assert.deepEqual(await missingParts(adminPush(tgt), `${repo}/app`, tag), [], `${repo}/app:${tag}`);
  return { file, firstTags, firstBlobs: await linkedBlobs(tgt, `${repo}/app`) };
}

async function resume(file: string, repo: string, firstBlobs: Set<string>): Promise<void> {
  proxy.clear();
  proxy.resetStats();
  const run = await runCli(['sync', '-c', file, '--endpoint', `${tgt.host}=${proxy.url}`], { env: env() });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  const uploads = proxy.stats.log.filter((e) => e.method === 'PUT' && /\/blobs\/uploads\//.test(e.path));
  assert.ok(uploads.length > 0, 'the re-run had blobs left to upload');
  const repeated = uploads.map((e) => decodeURIComponent(/[?&]digest=([^&]+)/.exec(e.path)?.[1] ?? '')).filter((d) => firstBlobs.has(d));
  assert.deepEqual(repeated, [], 'blobs completed by the first run were uploaded again');
  assert.deepEqual((await digestDifferences(src, 'jetstack/app', [[tgt, `${repo}/app`]])).wrong, []);
}

test('SIGINT mid-run: exit 130, no tag on an incomplete image, the re-run resumes without repeating uploads', async () => {
  const { file, firstBlobs } = await interruptedRun('SIGINT', 'int');
  await resume(file, 'int', firstBlobs);
});

test('SIGTERM mid-run behaves the same', async () => {
  const { file, firstBlobs } = await interruptedRun('SIGTERM', 'term');
  await resume(file, 'term', firstBlobs);
});
