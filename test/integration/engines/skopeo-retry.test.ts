// engine: skopeo re-runs a copy that failed for a transient reason (issue 9): a fault proxy in
// front of a real registry answers blob checks and uploads (start, end) with 5xx, which skopeo's own
// --retry-times does not retry; a refusal (403) is never re-run; an index PUT refused as invalid
// (which skopeo reports as a conversion it may not make) is re-run once, with --debug, whose output
// gives the registry's answer. skopeo counts its own runs via a wrapper.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { SkopeoEngine } from '../../../src/engines/skopeo.js';
import { AuthError, CopyError, UnreachableError } from '../../../src/types/errors.js';
import type { RepositoryRef } from '../../../src/types/reference.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registrySettings } from '../../harness/tls-bed.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { countingSkopeo, skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const BLOB_CHECK = /^\/v2\/.+\/blobs\/sha256:[a-f0-9]{64}$/;
const BLOB_UPLOAD = /^\/v2\/.+\/blobs\/uploads\//;

describe('SkopeoEngine retries', () => {
  let source: RunningRegistry;
  let target: RunningRegistry;
  let proxy: FaultProxy;
  let work: string;
  let wrapper: string;
  let counting: Awaited<ReturnType<typeof countingSkopeo>>;
  let image: SeededImage;
  const at = (reg: { host: string }, repository: string): RepositoryRef => ({ scheme: 'registry', registry: reg.host, repository });
  const skopeoRuns = () => counting.runs();

  // The source and the proxy in front of the target both serve TLS from the test CA.
  const tlsSettings = () => registrySettings([source, { host: proxy.host, caFile: target.caFile }]);

  before(async () => {
    [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
    proxy = await proxyFor(target);
    image = (await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 }))[0]!;
    work = await scratchDir('skopeo-retry');
    counting = await countingSkopeo(work);
    wrapper = counting.binary;
  });
  after(async () => {
    await proxy.close();
    await Promise.all([destroyRegistry(source), destroyRegistry(target)]);
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    proxy.clear();
    proxy.resetStats();
    await counting.reset();
  });

  it('blob checks answered 500 and uploads answered 503 at the start and 500 at the end (which skopeo\'s --retry-times does not absorb) end in a copy with the same digest', async () => {
    proxy.inject({ method: 'HEAD', path: BLOB_CHECK, times: 2, fault: { kind: 'status', status: 500 } });
    proxy.inject({ method: 'POST', path: BLOB_UPLOAD, times: 1, fault: { kind: 'status', status: 503 } });
    proxy.inject({ method: 'PUT', path: BLOB_UPLOAD, times: 1, fault: { kind: 'status', status: 500 } });
    const engine = new SkopeoEngine({ credentials: async () => undefined, binary: wrapper, backoffBaseMs: 20, registries: tlsSettings() });
    try {
      await engine.copy({ source: at(source, 'jetstack/app'), target: at(proxy, 'cert-manager/app'), tag: image.tag, digest: image.digest });
    } finally {
      await engine.close();
    }
    assert.equal(proxy.stats.injected.status, 4, 'every injected 5xx was met');
    assert.ok((await skopeoRuns()) >= 2, 'skopeo ran again after a transient failure');
    assert.equal(await skopeoDigest(`${target.host}/cert-manager/app:${image.tag}`), image.digest);
  });

  it('a target that stopped accepting connections costs skopeo\'s own retries once, not once per copy and per re-run; once it listens again, copies run', async () => {
    const dead = await startRegistry({ tls: true });
    after(() => destroyRegistry(dead));
    await dead.stop();
    const registries = registrySettings([source, [dead, { maxAttempts: 3 }]]);
    const engine = new SkopeoEngine({ credentials: async () => undefined, binary: wrapper, backoffBaseMs: 20, registries });
    const copyTo = (repository: string) => engine.copy({ source: at(source, 'jetstack/app'), target: at(dead, repository), tag: image.tag, digest: image.digest });
    try {
      for (const repository of ['cert-manager/one', 'cert-manager/two', 'cert-manager/three']) {
        await assert.rejects(copyTo(repository), (err) =>
          err instanceof CopyError && err.origin === 'destination' && err.cause instanceof UnreachableError && err.message.includes(`${dead.host}: connect: connection refused`));
      }
      assert.equal(await skopeoRuns(), 1, 'skopeo ran for the first copy only (its own --retry-times spent there)');
      await dead.start();
      await copyTo('cert-manager/four');
      assert.equal(await skopeoRuns(), 2, 'a target listening again gets its copies');
    } finally {
      await engine.close();
    }
    assert.equal(await skopeoDigest(`${dead.host}/cert-manager/four:${image.tag}`), image.digest);
  });

  it('gives up after the target registry\'s maxAttempts runs when the 5xx never ends', async () => {
    proxy.inject({ method: 'HEAD', path: BLOB_CHECK, times: Infinity, fault: { kind: 'status', status: 502 } });
    const registries = registrySettings([source, [{ host: proxy.host, caFile: target.caFile }, { maxAttempts: 2 }]]);
    const engine = new SkopeoEngine({ credentials: async () => undefined, binary: wrapper, backoffBaseMs: 20, registries });
    try {
      await assert.rejects(engine.copy({ source: at(source, 'jetstack/app'), target: at(proxy, 'cert-manager/flaky'), tag: image.tag, digest: image.digest }),
        (err) => err instanceof CopyError && err.origin === 'destination' && /502|bad gateway/i.test(err.message));
    } finally {
      await engine.close();
    }
    assert.equal(await skopeoRuns(), 2);
  });

  it('an index PUT refused once as MANIFEST_INVALID (skopeo: "cannot modify it: Instructed to preserve digests") is run once more and lands', async () => {
    proxy.inject({ method: 'PUT', path: /\/manifests\/v1\.0\.0$/, times: 1, fault: { kind: 'status', status: 400 } });
    const engine = new SkopeoEngine({ credentials: async () => undefined, binary: wrapper, backoffBaseMs: 20, registries: tlsSettings() });
    try {
      await engine.copy({ source: at(source, 'jetstack/app'), target: at(proxy, 'cert-manager/raced'), tag: image.tag, digest: image.digest });
    } finally {
      await engine.close();
    }
    assert.equal(proxy.stats.injected.status, 1);
    assert.equal(await skopeoRuns(), 2);
    assert.equal(await skopeoDigest(`${target.host}/cert-manager/raced:${image.tag}`), image.digest);
  });

  it('the same refusal every time: two runs (the second with --debug), then the line gives the registry\'s answer, not "skopeo cannot copy" (engine: native is refused alike)', async () => {
    proxy.inject({ method: 'PUT', path: /\/manifests\/v1\.0\.0$/, times: Infinity, fault: { kind: 'status', status: 400 } });
    const engine = new SkopeoEngine({ credentials: async () => undefined, binary: wrapper, backoffBaseMs: 20, registries: tlsSettings() });
    try {
      await assert.rejects(engine.copy({ source: at(source, 'jetstack/app'), target: at(proxy, 'cert-manager/refused'), tag: image.tag, digest: image.digest }),
        (err) => err instanceof CopyError && err.origin === 'destination' && /cert-manager\/refused:v1\.0\.0: the registry refuses the manifest \(skopeo: uploading manifest v1\.0\.0: manifest invalid: injected by fault proxy\): it does not accept this kind of content/.test(err.message) && !/engine: native/.test(err.message));
    } finally {
      await engine.close();
    }
    assert.equal(await skopeoRuns(), 2);
  });

  it('a refusal (403 on the manifest PUT) is reported after one run, never re-run', async () => {
    proxy.inject({ method: 'PUT', path: /\/manifests\//, times: Infinity, fault: { kind: 'status', status: 403 } });
    const engine = new SkopeoEngine({ credentials: async () => undefined, binary: wrapper, backoffBaseMs: 20, registries: tlsSettings() });
    try {
      await assert.rejects(engine.copy({ source: at(source, 'jetstack/app'), target: at(proxy, 'cert-manager/denied'), tag: image.tag, digest: image.digest }),
        (err) => err instanceof CopyError && err.cause instanceof AuthError);
    } finally {
      await engine.close();
    }
    assert.equal(await skopeoRuns(), 1);
  });
});
