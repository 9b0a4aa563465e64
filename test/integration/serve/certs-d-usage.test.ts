// A backend's certs.d directory that cannot be used (a client key without its certificate, a key
// under a passphrase): `sync` says so before any request, exit 2. `serve` listened, and at its
// first probe of that backend ended with 'regmirror: internal error: certs.d for HOST: … has no
// client.cert beside it …; the run stopped (a rerun resumes). Please report it, with the stack
// trace from -v', exit 1 (acceptance hunt). It is the same usage error, said before listening.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';

test('serve with a backend whose certs.d holds a client key alone: one line naming the file, exit 2, before listening', async () => {
  const dir = await scratchDir('serve-certs-d');
  const backend = '127.0.0.1:9';
  await mkdir(join(dir, 'certs.d', backend), { recursive: true });
  await copyFile((await testCerts()).client.key, join(dir, 'certs.d', backend, 'client.key'));
  const file = await writeConfig(dir, `version: 1
registries:
  ${backend}: { tls: verify }
images:
  - { source: "${backend}/src/app", targets: ["${backend}/mirror"] }
gateway: { listen: "127.0.0.1:0", host: img.example.test, healthInterval: 1 }
`);
  const run = await runCli(['serve', '-c', file], { timeoutMs: 60_000, env: { REGMIRROR_CERTS_D: join(dir, 'certs.d') } });
  assert.equal(run.timedOut, false, run.stderr);
  assert.equal(run.exitCode, 2, run.stderr);
  assert.match(run.stderr, new RegExp(`certs.d for ${backend}: ${join(dir, 'certs.d', backend, 'client.key')} has no client.cert beside it`));
  assert.doesNotMatch(run.stderr, /internal error|listening on/);
});
