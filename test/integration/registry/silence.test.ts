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

const clientFor = (maxAttempts: number) => new RegistryClient({
  registries: registrySettings([[{ host: proxy.host, caFile: registry.caFile }, { maxAttempts }]]),
  testing: { answerTimeoutMs: 500, backoffBaseMs: 1 },
});

test('answers held past the timeout are retried, and the request lands once the registry answers', async () => {
  proxy.inject({ method: 'GET', path: /\/manifests\/v1\.0\.0$/, times: 2, fault: { kind: 'delay', ms: 4000 } });
  const client = clientFor(5);
  try {
    const got = await client.repository(proxy.host, 'jetstack/app', 'pull').fetchManifest('v1.0.0');
    assert.equal(got.descriptor.digest, image.digest);
    assert.equal(proxy.stats.injected.delay, 2);
    assert.ok(client.stats.retries >= 2, `retries: ${client.stats.retries}`);
  } finally {
    await client.close();
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
