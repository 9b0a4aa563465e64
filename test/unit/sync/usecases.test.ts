// sync and verify over memory registries: decisions, order, referrers and drift statuses,
// with no HTTP at all (the real-registry versions live in test/integration/sync).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRegistry } from '../../../src/content/memory.js';
import type { RepositoryOpener } from '../../../src/content/storage.js';
import type { ImageWork } from '../../../src/config/workitems.js';
import { runSync } from '../../../src/sync/run.js';
import { runVerify } from '../../../src/verify/run.js';
import { decide } from '../../../src/sync/classify.js';
import { phases } from '../../../src/sync/order.js';
import { buildImage, pushImage } from '../content/fixtures.js';
import { memoryStores, oneImageWork, syncOptions as opts } from './work.js';
import { isManifestType } from '../../../src/types/mediatype.js';

function world() {
  const tagOrder: string[] = [];
  const { opener } = memoryStores((ref, repo) => {
    const tag = repo.tag.bind(repo);
    // Records the order tags are written in, across every repository.
    repo.tag = async (desc, bytes, name, opts) => {
      await tag(desc, bytes, name, opts);
      tagOrder.push(`${ref.registry}/${ref.repository}:${name}`);
    };
    return repo;
  });
  const repo = (host: string, path: string) => opener.open({ scheme: 'registry', registry: host, repository: path }, 'push');
  return { opener, repo, tagOrder };
}

const work = (): ImageWork[] => oneImageWork(['quay.test', 'ghcr.test']);

async function seed(w: ReturnType<typeof world>) {
  const src = w.repo('quay.test', 'jetstack/app');
  const a = buildImage('a');
  const b = buildImage('b');
  await pushImage(src, a, 'v1.0.0');
  await pushImage(src, b, 'v1.1.0', 'latest');
  const sig = buildImage('signature-of-a');
  await pushImage(src, sig, `${a.index.desc.digest.replace(':', '-')}.sig`);
  w.tagOrder.length = 0;
  return { a, b };
}

test('decide: same digest skips, absent copies, different conflicts unless overwrite', () => {
  assert.equal(decide('sha256:a', 'sha256:a', false), 'skip');
  assert.equal(decide('sha256:a', null, false), 'copy');
  assert.equal(decide('sha256:a', 'sha256:b', false), 'conflict');
  assert.equal(decide('sha256:a', 'sha256:b', true), 'forced');
});

test('phases put floating tags after every release tag', () => {
  const [release, floating] = phases(['latest', 'v1.0.0', 'v1.14', '1.2.3', 'main'].map((tag) => ({ tag })));
  assert.deepEqual(release.map((t) => t.tag), ['v1.0.0', '1.2.3']);
  assert.deepEqual(floating.map((t) => t.tag), ['latest', 'v1.14', 'main']);
});

test('sync copies releases, then floating tags, with signatures; a second run skips everything', async () => {
  const w = world();
  const { a } = await seed(w);
  const { report, unreachable } = await runSync(work(), opts(w.opener));
  assert.equal(unreachable, false);
  assert.equal(report.summary.copied, 6);
  assert.equal(report.summary.failed, 0);
  const lastRelease = Math.max(...w.tagOrder.map((t, i) => (/:v1\.\d\.\d$/.test(t) ? i : -1)));
  const firstFloating = w.tagOrder.findIndex((t) => t.endsWith(':latest'));
  assert.ok(firstFloating > lastRelease, `latest written after every release: ${w.tagOrder.join(', ')}`);
  for (const host of ['quay.test', 'ghcr.test']) {
    const tags = await w.repo(host, 'cert-manager/app').listTags();
    assert.ok(tags.includes(`${a.index.desc.digest.replace(':', '-')}.sig`), `signature at ${host}`);
  }
  const again = await runSync(work(), opts(w.opener));
  assert.equal(again.report.summary.skipped, 6);
  assert.equal(again.report.summary.copied, 0);
});

test('a cold sync HEADs no manifest: releases and signatures are new, latest reuses its release', async () => {
  const w = world();
  await seed(w);
  const heads: string[] = [];
  const opener: RepositoryOpener = {
    open(ref, access) {
      const repo = w.opener.open(ref, access);
      if (access === 'push') {
        const exists = repo.exists.bind(repo);
        repo.exists = async (desc, o) => {
          if (isManifestType(desc.mediaType)) heads.push(`${ref.scheme === 'registry' ? ref.registry : ''} ${desc.digest}`);
          return exists(desc, o);
        };
      }
      return repo;
    },
  };
  const { report } = await runSync(work(), opts(opener));
  assert.equal(report.summary.copied, 6);
  assert.deepEqual(heads, []);
});

test('a retargeted tag is a conflict left alone until force', async () => {
  const w = world();
  const { b } = await seed(w);
  await runSync(work(), opts(w.opener));
  const ghcr = w.repo('ghcr.test', 'cert-manager/app');
  await ghcr.tag(b.index.desc, b.index.bytes, 'v1.0.0');
  const conflicted = await runSync(work(), opts(w.opener));
  assert.equal(conflicted.report.summary.conflicts, 1);
  assert.equal((await ghcr.resolve('v1.0.0')).digest, b.index.desc.digest, 'untouched');
  const forced = await runSync(work(), { ...opts(w.opener), force: true });
  assert.equal(forced.report.summary.conflicts, 0);
  assert.notEqual((await ghcr.resolve('v1.0.0')).digest, b.index.desc.digest);
});

test('verify names missing, mismatch, extra and missing-referrers', async () => {
  const w = world();
  const { a, b } = await seed(w);
  await runSync(work(), opts(w.opener));
  const quay = w.repo('quay.test', 'cert-manager/app');
  await quay.tag(b.index.desc, b.index.bytes, 'v9.0.0'); // extra
  // A fresh ghcr repository without the signature and without latest.
  const fresh = new MemoryRegistry('ghcr.test');
  const opener: RepositoryOpener = {
    open: (ref, access) => (ref.scheme === 'registry' && ref.registry === 'ghcr.test' ? fresh.repository(ref.repository) : w.opener.open(ref, access)),
  };
  const target = fresh.repository('cert-manager/app');
  await pushImage(target, a, 'v1.0.0'); // no .sig → missing-referrers
  await pushImage(target, a, 'v1.1.0'); // mismatch
  const report = await runVerify(work(), { stores: opener, concurrency: 4, deep: true });
  const status = (tag: string, host: string) => report.results.find((r) => r.tag === tag)?.targets.find((t) => t.repository.startsWith(host))?.status;
  assert.equal(status('v1.0.0', 'ghcr.test'), 'missing-referrers');
  assert.equal(status('v1.1.0', 'ghcr.test'), 'mismatch');
  assert.equal(status('latest', 'ghcr.test'), 'missing');
  assert.equal(status('v9.0.0', 'quay.test'), 'extra');
  assert.equal(status('v1.0.0', 'quay.test'), 'in-sync');
  assert.equal(report.summary.drift, 4);
});

test('reports list tags in version order, floating tags last, with whole-second timestamps', async () => {
  const w = world();
  await seed(w);
  const { report } = await runSync(work(), opts(w.opener));
  assert.deepEqual(report.results.map((r) => r.tag), ['v1.0.0', 'v1.1.0', 'latest']);
  assert.match(report.generatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const verified = await runVerify(work(), { stores: w.opener, concurrency: 4, deep: false });
  assert.deepEqual(verified.results.map((r) => r.tag), ['v1.0.0', 'v1.1.0', 'latest']);
});
