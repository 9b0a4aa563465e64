// SIGINT / SIGTERM (CI's cancel) in the middle of `regmirror publish`: exit 130, and the pushes
// the signal cut short are not called failures. They were, with the detail "aborted", one ::error
// annotation each and "next: failures: rerun once fixed" (there is nothing to fix), and no word
// on what was done; `sync` already leaves copies in flight out of its report and says
// "interrupted: N copied … run the same command again". The re-run then publishes everything.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor } from '../../harness/tls-bed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { getManifestDigest } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import type { SyncReport } from '../../../src/report/model.js';

const FILE = Buffer.from('cmctl linux amd64 release archive\n'.repeat(3000));

let reg: RunningRegistry;
let proxy: FaultProxy; // slows every blob upload, so the signal lands while pushes are in flight
let dir: string;
const env = () => ({ REG_USER: 'admin', REG_PASS: reg.users.admin! });

before(async () => {
  reg = await startRegistry({ auth: 'htpasswd', tls: true });
  proxy = await proxyFor(reg);
  dir = await scratchDir('publish-interrupt');
  await mkdir(join(dir, 'dist'));
  await writeFile(join(dir, 'dist', 'cmctl-linux-amd64.tar.gz'), FILE);
  await writeFile(join(dir, 'dist', 'checksums.txt'), `${createHash('sha256').update(FILE).digest('hex')}  cmctl-linux-amd64.tar.gz\n`);
});
after(async () => {
  await proxy?.close();
  if (reg) await destroyRegistry(reg);
});

async function interrupted(signal: 'SIGINT' | 'SIGTERM', ns: string): Promise<void> {
  const cfg = await writeConfig(join(dir, ns), `version: 1
defaults:
  targets: [${reg.host}/${ns}]
registries:
  ${reg.host}:
    credentials: { usernameEnv: REG_USER, passwordEnv: REG_PASS }
    caFile: ${reg.caFile}
binaries:
  - name: cmctl
    artifactType: application/vnd.cert-manager.cmctl.v1
    files: ["cmctl-*.tar.gz"]
    checksums: checksums.txt
`);
  const args = (out: string) => ['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', join(dir, 'dist'), '--endpoint', `${reg.host}=${proxy.url}`, '--no-progress', '--format', 'json', '-o', join(dir, out)];
  proxy.clear();
  proxy.inject({ method: 'PUT', path: /\/blobs\/uploads\//, times: Infinity, fault: { kind: 'delay', ms: 1500 } });
  // -v logs each request as it ends: the signal goes once an upload session is open.
  const run = await runCli([...args(`${ns}-1.json`), '-v'], { env: env(), signalOnOutput: { signal, pattern: /POST \S+\/blobs\/uploads\/ 202/ } });
  assert.equal(run.exitCode, 130, `exit ${run.exitCode} signal ${run.signal}\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /: failed|aborted/, 'a push in flight at the signal called failed');
  assert.match(run.stderr, /interrupted[^\n]*0 copied[^\n]*run the same command again/, 'says what was done and what to do');
  const report = JSON.parse(await readFile(join(dir, `${ns}-1.json`), 'utf8')) as SyncReport;
  assert.equal(report.summary.failed, 0, JSON.stringify(report.results));
  assert.equal(await getManifestDigest({ url: reg.url, auth: { username: 'admin', password: reg.users.admin! } }, `${ns}/cmctl`, 'v1.2.3'), undefined, 'no tag before its parts');

  proxy.clear();
  const again = await runCli(args(`${ns}-2.json`), { env: env() });
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal((JSON.parse(await readFile(join(dir, `${ns}-2.json`), 'utf8')) as SyncReport).summary.copied, 1);
}

test('SIGINT mid-publish: exit 130, no failed rows, "interrupted", and the re-run publishes', () => interrupted('SIGINT', 'int'));
test('SIGTERM mid-publish behaves the same', () => interrupted('SIGTERM', 'term'));
