// -v says which HTTP version each TLS registry is spoken to in, once per origin: HTTP/2 when it
// offered h2 by ALPN, else HTTP/1.1 and why (it offered none, or `http2: false`). The README
// gives `http2: false` as the cure for middleboxes that break HTTP/2, and a user choosing it had
// no way to see which protocol a run had used: -v listed requests without their version.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';

let source: RunningRegistry;
let target: RunningRegistry;
let h1: FaultProxy;
let dir: string;
let digest: string;

before(async () => {
  // The source: distribution over TLS, which offers h2. The target: reached through a TLS proxy
  // that speaks HTTP/1.1 only (node:https, no ALPN h2), as many load balancers do.
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry()]);
  h1 = await startFaultProxy(target.url, { tls: (await testCerts()).servers.good });
  dir = await scratchDir('protocol-line');
  const [image] = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 });
  digest = image!.digest;
});

after(async () => {
  await h1?.close();
  await Promise.all([source, target].filter(Boolean).map((r) => destroyRegistry(r)));
});

async function syncVerbose(name: string, http2: boolean) {
  const { caFile } = await testCerts();
  const file = await writeConfig(`${dir}/${name}`, `version: 1
defaults:
  targets: [${h1.host}/${name}]
registries:
  ${source.host}: { caFile: ${caFile}, http2: ${http2} }
  ${h1.host}: { caFile: ${caFile} }
images:
  - source: ${source.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', file, '--no-progress', '-v']);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.equal(await skopeoDigest(`${target.host}/${name}/app:v1.0.0`), digest);
  return run.stderr.split('\n').filter((l) => /^debug: \S+: HTTP\//.test(l));
}

test('-v names the protocol of each TLS origin once: HTTP/2 by ALPN, or HTTP/1.1 and why', async () => {
  const lines = await syncVerbose('h2', true);
  assert.deepEqual(lines.sort(), [
    `debug: ${h1.host}: HTTP/1.1 (it did not offer HTTP/2 by ALPN)`,
    `debug: ${source.host}: HTTP/2 (ALPN h2); uploads over 64 KiB and blob reads over 4 MiB go over HTTP/1.1`,
  ].sort());
});

test('http2: false is said as the reason for HTTP/1.1', async () => {
  const lines = await syncVerbose('h1', false);
  assert.ok(lines.includes(`debug: ${source.host}: HTTP/1.1 (\`http2: false\`)`), lines.join('\n'));
});
