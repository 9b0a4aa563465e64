// A registry that accepts a request and then says nothing (overloaded, or a middlebox holding the
// connection): each attempt ends after the answer timeout (a minute in a run; shortened here) and
// is retried like a reset, and the error says what happened instead of waiting undici's five
// minutes per attempt. A real TLS registry behind the fault proxy, which holds the answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryClient } from '../../../src/registry/client.js';
import { UnreachableError } from '../../../src/types/errors.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registrySettings } from '../../harness/tls-bed.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';

let registry: RunningRegistry;
let proxy: FaultProxy;
let image: SeededImage;

before(async () => {
  registry = await startRegistry({ tls: true });
  [image] = await seedImage({ url: registry.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 1 }) as [SeededImage];
  proxy = await proxyFor(registry);
});

after(async () => {
  await proxy?.close();
  if (registry) await destroyRegistry(registry);
});

const clientFor = (maxAttempts: number, answerTimeoutMs = 500) => new RegistryClient({
  registries: registrySettings([[{ host: proxy.host, caFile: registry.caFile }, { maxAttempts }]]),
  testing: { answerTimeoutMs, backoffBaseMs: 1 },
});

test('a slow registry: answers held past the timeout are retried while its other requests answer, and the request lands', async () => {
  proxy.inject({ method: 'GET', path: /\/manifests\/v1\.0\.0$/, times: 2, fault: { kind: 'delay', ms: 8000 } });
  const client = clientFor(5, 2000);
  const repo = client.repository(proxy.host, 'jetstack/app', 'pull');
  try {
    const held = repo.fetchManifest('v1.0.0');
    // The registry answers everything else meanwhile: slow at one request, not silent (silence.ts).
    let done = false;
    const others = (async () => {
      while (!done) await repo.listTags();
    })();
    const got = await held.finally(() => (done = true));
    await others;
    assert.equal(got.descriptor.digest, image.digest);
    assert.equal(proxy.stats.injected.delay, 2);
    assert.ok(client.stats.retries >= 2, `retries: ${client.stats.retries}`);
  } finally {
    await client.close();
  }
});

test('a silent registry: a request held past the timeout with nothing else answering is not asked again, and fails with the timeout\'s line', async () => {
  proxy.clear();
  proxy.inject({ method: 'GET', path: /\/manifests\/v1\.0\.0$/, times: Infinity, fault: { kind: 'delay', ms: 4000 } });
  const client = clientFor(5);
  const held = proxy.stats.injected.delay;
  try {
    await assert.rejects(client.repository(proxy.host, 'jetstack/app', 'pull').fetchManifest('v1.0.0'),
      (e) => e instanceof UnreachableError && /: it accepted the request but sent no answer in time \(UND_ERR_HEADERS_TIMEOUT\)$/.test(e.message));
    assert.equal(proxy.stats.injected.delay - held, 1, 'attempts held');
    assert.equal(client.stats.retries, 0);
  } finally {
    await client.close();
    proxy.clear();
  }
});

test('a registry that never answers: the error names the host and says it sent no answer in time', async () => {
  proxy.clear();
  proxy.inject({ method: 'GET', path: /\/tags\/list/, times: Infinity, fault: { kind: 'delay', ms: 5000 } });
  const client = clientFor(2);
  try {
    await assert.rejects(client.repository(proxy.host, 'jetstack/app', 'pull').listTags(),
      (e) => e instanceof UnreachableError && new RegExp(`^${proxy.host} unreachable: GET .*/tags/list.*: it accepted the request but sent no answer in time \\(UND_ERR_HEADERS_TIMEOUT\\)$`).test(e.message));
  } finally {
    await client.close();
    proxy.clear();
  }
});
