// Issue 11 end to end: real cosign-format signatures made here (EC P-256 over sha256, RSA over
// sha512) on a real registry; only signed tags reach the target, and a refused tag leaves nothing
// there — checked at the target registry itself (tag list, HEAD of every manifest and blob), not
// through regmirror. skopeo judges the digests of what was copied.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { deleteManifest, listTags, seedImage, type PushTarget, type SeededImage } from '../../harness/seed.js';
import { skopeoCopyAll, skopeoDigest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { makeKey, pushBundleReferrer, pushSignature, signedBundle, signPayload, signStatement, simpleSigningPayload, type TestKey } from '../../harness/cosign.js';
import type { SyncReport, VerifyReport } from '../../../src/report/model.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let dir: string;
let config: string;
const ec = makeKey('p256');
const rsa = makeKey('rsa');
const stranger = makeKey('p256');
const images = new Map<string, SeededImage>(); // "ec:v1.0.0" → what was seeded
const push = (r: RunningRegistry): PushTarget => ({ url: r.url });

// What each tag of the source carries, and what sync must do with it.
const EC_TAGS: Record<string, { sign?: (img: SeededImage) => Promise<void>; expect: string }> = {
  'v0.9.0': { expect: 'copied' }, // older than unsignedBefore: never signed, mirrored without a check
  'v1.0.0': { sign: (img) => signed('jetstack/ec', img, ec, 'sha256'), expect: 'copied' },
  'v1.1.0': { expect: 'refused:unsigned' },
  'v1.2.0': { sign: (img) => signed('jetstack/ec', img, stranger, 'sha256'), expect: 'refused:bad-signature' },
  'v1.3.0': { sign: (img) => signed('jetstack/ec', img, ec, 'sha256', { tamper: true }), expect: 'refused:bad-signature' },
  'v1.4.0': { sign: (img) => signed('jetstack/ec', img, ec, 'sha256', { names: images.get('ec:v1.0.0')!.digest }), expect: 'refused:wrong-digest' },
  'v1.5.0': { sign: (img) => signed('jetstack/ec', img, ec, 'sha256', { form: 'referrer' }), expect: 'copied' },
  'v1.6.0': { sign: (img) => signed('jetstack/ec', img, ec, 'sha512'), expect: 'refused:wrong-algorithm' },
  // cosign sign --new-bundle-format: a sigstore bundle referrer only, no .sig tag.
  'v1.7.0': { sign: (img) => signed('jetstack/ec', img, ec, 'sha256', { form: 'bundle' }), expect: 'copied' },
  'v1.8.0': { sign: (img) => signed('jetstack/ec', img, ec, 'sha256', { form: 'bundle', names: images.get('ec:v1.0.0')!.digest }), expect: 'refused:wrong-digest' },
};
const RSA_TAGS: typeof EC_TAGS = {
  'v2.0.0': { sign: (img) => signed('jetstack/rsa', img, rsa, 'sha512'), expect: 'copied' },
  'v2.1.0': { sign: (img) => signed('jetstack/rsa', img, rsa, 'sha256'), expect: 'refused:wrong-algorithm' },
};

async function signed(repo: string, img: SeededImage, key: TestKey, hash: 'sha256' | 'sha512', opts: { tamper?: boolean; names?: string; form?: 'tag' | 'referrer' | 'bundle' } = {}): Promise<void> {
  const manifest = await fetch(`${src.url}/v2/${repo}/manifests/${img.tag}`, { method: 'HEAD', headers: { accept: img.mediaType } });
  const subject = { digest: img.digest, mediaType: img.mediaType, size: Number(manifest.headers.get('content-length')) };
  if (opts.form === 'bundle') {
    await pushBundleReferrer(push(src), repo, subject, signedBundle(signStatement(opts.names ?? img.digest), key, hash));
    return;
  }
  const payload = simpleSigningPayload(opts.names ?? img.digest, `${src.host}/${repo}`);
  let signature = signPayload(payload, key, hash);
  if (opts.tamper) {
    const bytes = Buffer.from(signature, 'base64');
    bytes[bytes.length - 2]! ^= 0x40;
    signature = bytes.toString('base64');
  }
  await pushSignature(push(src), repo, subject, payload, signature, opts.form ?? 'tag');
}

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('trust');
  for (const [repo, tags] of [['ec', EC_TAGS], ['rsa', RSA_TAGS]] as const) {
    const seeded = await seedImage(push(src), { repository: `jetstack/${repo}`, tags: Object.keys(tags), format: 'oci', single: true, layerBytes: 2048 });
    for (const img of seeded) images.set(`${repo}:${img.tag}`, img);
  }
  for (const [repo, tags] of [['ec', EC_TAGS], ['rsa', RSA_TAGS]] as const) {
    for (const [tag, t] of Object.entries(tags)) await t.sign?.(images.get(`${repo}:${tag}`)!);
  }
  await writeFile(join(dir, 'cosign.pub'), ec.publicPem);
  await writeFile(join(dir, 'release.pub'), rsa.publicPem);
  config = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
  signatures:
    keys: [./cosign.pub]
    unsignedBefore: v1.0.0
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/ec
  - source: ${src.host}/jetstack/rsa
    signatures: { keys: [./release.pub], algorithm: sha512 }
`);
});

after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

async function present(repo: string, kind: 'manifests' | 'blobs', digest: string): Promise<boolean> {
  const res = await fetch(`${dst.url}/v2/${repo}/${kind}/${digest}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' } });
  return res.status === 200;
}

test('only tags whose source digest carries a valid signature are mirrored; the others are refused with nothing at the target', { timeout: 300_000 }, async () => {
  // plan says the same before anything is written.
  const plan = await runCli(['plan', '-c', config, '--format', 'json', '--no-progress']);
  assert.equal(plan.exitCode, 0, plan.stderr);
  const planned = (JSON.parse(plan.stdout) as SyncReport).results;
  assert.equal(planned.find((r) => r.tag === 'v1.1.0')?.targets[0]?.action, 'refused');
  assert.equal(planned.find((r) => r.tag === 'v1.0.0')?.targets[0]?.action, 'copy');
  assert.deepEqual(await listTags(push(dst), 'cert-manager/ec'), []);
  const reportFile = join(dir, 'sync.json');
  const run = await runCli(['sync', '-c', config, '--report', reportFile, '--no-progress']);
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  const report = JSON.parse(await readFile(reportFile, 'utf8')) as SyncReport;
  for (const [repo, tags] of [['ec', EC_TAGS], ['rsa', RSA_TAGS]] as const) {
    const targetTags = new Set(await listTags(push(dst), `cert-manager/${repo}`));
    for (const [tag, t] of Object.entries(tags)) {
      const img = images.get(`${repo}:${tag}`)!;
      const row = report.results.find((r) => r.source === `${src.host}/jetstack/${repo}` && r.tag === tag)?.targets[0];
      assert.ok(row, `${repo}:${tag} has a result`);
      const [action, reason] = t.expect.split(':');
      assert.equal(row.action, action, `${repo}:${tag}: ${row.detail}`);
      const sigTag = `${img.digest.replace(':', '-')}.sig`;
      if (action === 'copied') {
        assert.equal(await skopeoDigest(`${dst.host}/cert-manager/${repo}:${tag}`), img.digest, `${repo}:${tag} at the target`);
        if (tag !== 'v0.9.0') {
          assert.ok(targetTags.has(sigTag) || targetTags.has(img.digest.replace(':', '-')), `${repo}:${tag}: its signature travelled with it`);
          // The signer's docker-reference is reported (not required to match the mirror's name).
          // A bundle's statement names no reference.
          assert.match(row.detail, new RegExp(`signature verified .*docker-reference ${tag === 'v1.7.0' ? 'none' : `${src.host}/jetstack/${repo}`}`));
        }
        continue;
      }
      assert.ok(row.detail.startsWith(`${reason}:`), `${repo}:${tag}: detail "${row.detail}" names ${reason}`);
      assert.equal(row.digest, null);
      // Nothing of a refused tag at the target: no tag, no signature tag, no manifest, no blob.
      assert.ok(!targetTags.has(tag), `${repo}:${tag} must not be tagged at the target`);
      assert.ok(!targetTags.has(sigTag), `${repo}:${tag}: its signature tag must not be copied`);
      assert.equal(await present(`cert-manager/${repo}`, 'manifests', img.digest), false, `${repo}:${tag}: manifest at the target`);
      for (const blob of img.blobDigests) assert.equal(await present(`cert-manager/${repo}`, 'blobs', blob), false, `${repo}:${tag}: blob ${blob} at the target`);
    }
  }
  assert.equal(report.summary.refused, 7);
  assert.match(run.stdout, /refused/);
});

test('verify reports unsigned for a target image whose signature is gone or that was pushed by hand', { timeout: 300_000 }, async () => {
  const v100 = images.get('ec:v1.0.0')!;
  await deleteManifest(push(dst), 'cert-manager/ec', `${v100.digest.replace(':', '-')}.sig`);
  // Pushed by hand: the source's unsigned v1.1.0, copied to the target with skopeo.
  await skopeoCopyAll(`${src.host}/jetstack/ec:v1.1.0`, `docker://${dst.host}/cert-manager/ec:v1.1.0`, { preserveDigests: true });
  const run = await runCli(['verify', '-c', config, '--format', 'json', '--no-progress']);
  assert.equal(run.exitCode, 1, run.stderr);
  const report = JSON.parse(run.stdout) as VerifyReport;
  const status = (repo: string, tag: string) => report.results.find((r) => r.source === `${src.host}/jetstack/${repo}` && r.tag === tag)?.targets[0];
  assert.equal(status('ec', 'v1.0.0')?.status, 'unsigned', status('ec', 'v1.0.0')?.detail);
  assert.match(status('ec', 'v1.0.0')?.detail ?? '', /no valid signature at the target: unsigned/);
  assert.equal(status('ec', 'v1.1.0')?.status, 'unsigned');
  assert.equal(status('ec', 'v1.5.0')?.status, 'in-sync', status('ec', 'v1.5.0')?.detail);
  assert.equal(status('ec', 'v1.7.0')?.status, 'in-sync', status('ec', 'v1.7.0')?.detail);
  assert.equal(status('ec', 'v0.9.0')?.status, 'in-sync');
  assert.equal(status('rsa', 'v2.0.0')?.status, 'in-sync', status('rsa', 'v2.0.0')?.detail);
  assert.equal(status('ec', 'v1.2.0')?.status, 'missing');
  // A tag sync refuses says why, so that the advice is not a sync that would refuse it again.
  assert.match(status('ec', 'v1.2.0')?.detail ?? '', /^tag absent at the target, and sync refuses it: bad-signature: no key in signatures\.keys verifies /);
  assert.match(status('ec', 'v1.8.0')?.detail ?? '', /^tag absent at the target, and sync refuses it: wrong-digest: referrer sha256:/);
  const table = await runCli(['verify', '-c', config, '--no-progress']);
  assert.doesNotMatch(table.stdout + table.stderr, /run `regmirror sync` to copy missing tags/);
  assert.match(table.stdout + table.stderr, /sync refuses missing tags without a valid signature at the source/);
});
