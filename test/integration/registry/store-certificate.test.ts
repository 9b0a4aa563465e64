// A source registry that redirects blob GETs to an object store whose certificate this machine
// does not trust: the line already says which host and what to do (its CA as caFile), but each
// blob was tried once per copier attempt (five reads of every blob, all refused the same way)
// before the tag failed. A refused certificate does not change on retry: one read per blob.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, oneMirrorYaml } from '../../harness/tls-bed.js';
import { testCerts } from '../../harness/tls.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let source: RunningRegistry;
let target: RunningRegistry;
let store: FaultProxy; // the object store: serves the source's blobs with a self-signed certificate
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  store = await startFaultProxy(source.url, { tls: (await testCerts()).servers.selfSigned, upstreamCa: source.caFile });
  dir = await scratchDir('store-certificate');
  await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], single: true, format: 'oci' });
});

after(async () => {
  await store?.close();
  await Promise.all([source, target].map((r) => r && destroyRegistry(r)));
});

test('blobs redirected to an object store with an untrusted certificate: one read each, one clear line', async () => {
  const registry = await proxyFor(source, {
    personalities: [(ex) => {
      if (ex.method !== 'GET' || !/\/blobs\/sha256:/.test(ex.path)) return false;
      ex.entry.status = 307;
      ex.res.writeHead(307, { location: `${store.url}${ex.path}`, 'content-length': '0' }).end();
      return true;
    }],
  });
  after(() => registry.close());
  const file = await writeConfig(dir, oneMirrorYaml(source, target, 'jetstack/app'));
  const run = await runCli(['sync', '-c', file, '--no-progress', '--endpoint', `${source.host}=${registry.url}`]);
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  assert.match(run.stderr, new RegExp(`${store.host}: its TLS certificate is not trusted .*caFile`));
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  const redirected = registry.stats.log.filter((e) => e.status === 307);
  const blobs = new Set(redirected.map((e) => e.path));
  assert.equal(redirected.length, blobs.size, `${redirected.length} reads of ${blobs.size} blobs: a refused certificate was tried again`);
});
