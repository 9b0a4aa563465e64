// The OCI 1.1 referrer form of a cosign signature found through the referrers API (not the
// fallback tag): a source registry with the API (a personality in front of distribution 2.8).
// A signed tag is mirrored with its signature referrer; one signed by another key is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { listTags, seedImage, type PushTarget, type SeededImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { makeKey, pushSignature, signPayload, simpleSigningPayload } from '../../harness/cosign.js';
import type { SyncReport } from '../../../src/report/model.js';
import { referrersApi } from '../../harness/personalities/referrers-api.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let proxy: FaultProxy;
let dir: string;
const key = makeKey('p256');
const stranger = makeKey('p256');
const signatures = new Map<string, string>(); // tag → signature referrer digest
let images: SeededImage[];

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  proxy = await proxyFor(src, { personalities: [referrersApi(src.dataDir).play] });
  dir = await scratchDir('referrers');
  const push: PushTarget = { url: src.url };
  images = await seedImage(push, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', single: true });
  for (const img of images) {
    const head = await fetch(`${src.url}/v2/jetstack/app/manifests/${img.tag}`, { method: 'HEAD', headers: { accept: img.mediaType } });
    const payload = simpleSigningPayload(img.digest, `${proxy.host}/jetstack/app`);
    const signer = img.tag === 'v1.0.0' ? key : stranger;
    const subject = { digest: img.digest, mediaType: img.mediaType, size: Number(head.headers.get('content-length')) };
    signatures.set(img.tag, await pushSignature(push, 'jetstack/app', subject, payload, signPayload(payload, signer), 'referrer', null));
  }
  await writeFile(join(dir, 'cosign.pub'), key.publicPem);
});

after(async () => {
  await proxy?.close();
  await Promise.all([src?.stop(), dst?.stop()]);
});

test('a signature found through the referrers API admits its tag, and travels with it', { timeout: 300_000 }, async () => {
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/mirror]
  signatures: { keys: [./cosign.pub] }
${registriesYaml([{ host: proxy.host, caFile: src.caFile }, dst])}images:
  - source: ${proxy.host}/jetstack/app
`);
  const file = join(dir, 'sync.json');
  const run = await runCli(['sync', '-c', config, '--report', file, '--no-progress']);
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  const report = JSON.parse(await readFile(file, 'utf8')) as SyncReport;
  const row = (tag: string) => report.results.find((r) => r.tag === tag)!.targets[0]!;
  assert.equal(row('v1.0.0').action, 'copied', row('v1.0.0').detail);
  assert.match(row('v1.0.0').detail, new RegExp(`signature verified \\(referrer ${signatures.get('v1.0.0')}`));
  assert.equal(row('v1.1.0').action, 'refused');
  assert.match(row('v1.1.0').detail, /^bad-signature: no key in signatures\.keys verifies referrer sha256:/);
  assert.ok(proxy.stats.log.some((e) => e.method === 'GET' && /\/referrers\/sha256:/.test(e.path)), 'the referrers API was asked');
  // The signature referrer reached the target with its image; the refused tag left nothing.
  const sig = await fetch(`${dst.url}/v2/mirror/app/manifests/${signatures.get('v1.0.0')}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(sig.status, 200);
  const tags = await listTags({ url: dst.url }, 'mirror/app');
  assert.ok(tags.includes('v1.0.0') && !tags.includes('v1.1.0'), tags.join(' '));
  const refusedSig = await fetch(`${dst.url}/v2/mirror/app/manifests/${signatures.get('v1.1.0')}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(refusedSig.status, 404);
});
