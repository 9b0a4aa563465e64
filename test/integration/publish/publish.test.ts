// `regmirror publish` end to end: the real CLI pushes release files (local globs and a URL
// served on loopback, behind a redirect) to two namespaces of a real registry; skopeo reads back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { getManifestDigest, listTags, pushBlob, pushManifest, type PushTarget } from '../../harness/seed.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import type { SyncReport } from '../../../src/report/model.js';
import { scratchDir } from '../../harness/scratch.js';
import { registriesYaml } from '../../harness/tls-bed.js';

const TYPE = 'application/vnd.cert-manager.cmctl.v1';
const LINUX = Buffer.from('cmctl linux amd64 release archive\n'.repeat(2000));
const DARWIN = Buffer.from('cmctl darwin arm64 release archive\n'.repeat(1500));
const PLUGIN = Buffer.from('kubectl-cert_manager plugin archive\n'.repeat(100));
const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

let reg: RunningRegistry;
let files: Server;
let filesUrl: string;
let work: string;
let releaseDir: string;
const env = () => ({ REG_USER: 'admin', REG_PASS: reg.users.admin! });
const push = (): PushTarget => ({ url: reg.url, auth: { username: 'admin', password: reg.users.admin! } });
const creds = () => ({ creds: `admin:${reg.users.admin}` });

/**
 * The digest skopeo sees: sha256 of the raw manifest it reads (skopeo's own `inspect` refuses
 * artifacts, "unsupported image-specific operation"), cross-checked with the registry's header.
 */
async function skopeoDigest(ref: string): Promise<string> {
  const digest = `sha256:${hex(await skopeoRawManifest(`${reg.host}/${ref}`, creds()))}`;
  const [repo, tag] = ref.split(':') as [string, string];
  assert.equal(await getManifestDigest(push(), repo, tag), digest, `${ref}: the registry's Docker-Content-Digest`);
  return digest;
}

/** mirrors.yaml with one binaries entry (files + checksums) and one fetched by URL, into `targets` (namespaces). */
async function config(name: string, checksums: string, extra = '', targets = ['cert-manager', 'mirror']): Promise<string> {
  return writeConfig(
    work,
    `version: 1
defaults:
  targets: [${targets.map((ns) => `${reg.host}/${ns}`).join(', ')}]
registries:
  ${reg.host}:
    credentials: { usernameEnv: REG_USER, passwordEnv: REG_PASS }
    caFile: ${reg.caFile}
binaries:
  - name: cmctl
    artifactType: ${TYPE}
    files: ["cmctl-*.tar.gz"]
    checksums: ${checksums}
  - name: kubectl-cert-manager
    artifactType: application/vnd.cert-manager.kubectl-plugin.v1
    urls: ["${filesUrl}/redirect/{tag}/kubectl-cert_manager.tar.gz"]
${extra}`,
    name,
  );
}

before(async () => {
  reg = await startRegistry({ auth: 'htpasswd', tls: true }); // over TLS, trusted by caFile (issue 9)
  work = await scratchDir('publish');
  releaseDir = join(work, 'dist');
  await mkdir(releaseDir);
  await writeFile(join(releaseDir, 'cmctl-linux-amd64.tar.gz'), LINUX);
  await writeFile(join(releaseDir, 'cmctl-darwin-arm64.tar.gz'), DARWIN);
  await writeFile(join(work, 'checksums.txt'), `${hex(DARWIN)}  cmctl-darwin-arm64.tar.gz\n${hex(LINUX)} *cmctl-linux-amd64.tar.gz\n`);
  await writeFile(join(work, 'bad-checksums.txt'), `${hex(DARWIN)}  cmctl-darwin-arm64.tar.gz\n${hex('tampered')}  cmctl-linux-amd64.tar.gz\n`);
  // Release assets: /redirect/TAG/NAME answers 302 to /assets/TAG/NAME, like GitHub's CDN hop.
  files = createServer((req, res) => {
    const url = req.url ?? '';
    if (url.startsWith('/redirect/')) {
      res.writeHead(302, { location: url.replace('/redirect/', '/assets/') }).end();
    } else if (url === '/assets/v1.2.3/kubectl-cert_manager.tar.gz' || url === '/assets/1.2.3+build.4/kubectl-cert_manager.tar.gz') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(PLUGIN);
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});

after(async () => {
  await destroyRegistry(reg);
  await new Promise((resolve) => files.close(resolve));
  await rm(work, { recursive: true, force: true });
});

test('a wrong checksum: exit 1 naming the file, and nothing is pushed anywhere', async () => {
  const cfg = await config('bad.yaml', 'bad-checksums.txt');
  const r = await runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', releaseDir, '--no-progress'], { env: env() });
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /cmctl-linux-amd64\.tar\.gz: checksum mismatch/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  for (const repo of ['cert-manager/cmctl', 'mirror/cmctl', 'cert-manager/kubectl-cert-manager', 'mirror/kubectl-cert-manager']) {
    assert.deepEqual(await listTags(push(), repo), [], `${repo} has tags`);
  }
});

// A release whose windows build never reached dist/: checksums.txt lists it and the entry's glob
// matches its name, yet the files found under --dir were published without it, exit 0 (publish2
// hunt), the artifact silently one file short at every target.
test('a file checksums.txt lists and the glob matches, absent under --dir: exit 1 naming it, nothing pushed', async () => {
  await writeFile(join(work, 'windows-checksums.txt'), `${hex(DARWIN)}  cmctl-darwin-arm64.tar.gz\n${hex(LINUX)}  cmctl-linux-amd64.tar.gz\n${hex('windows')}  cmctl-windows-amd64.tar.gz\n${hex('other')}  kubectl-cert_manager.tar.gz\n`);
  const cfg = await config('windows.yaml', 'windows-checksums.txt', '', ['missing']);
  const r = await runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', releaseDir, '--no-progress'], { env: env() });
  assert.equal(r.exitCode, 1, r.stderr + r.stdout);
  assert.match(r.stderr, /^regmirror: cmctl-windows-amd64\.tar\.gz: listed in \S+windows-checksums\.txt and matched by "cmctl-\*\.tar\.gz" \(binaries "cmctl" files\), but not found under \S+dist; nothing was pushed/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  for (const repo of ['missing/cmctl', 'missing/kubectl-cert-manager']) assert.deepEqual(await listTags(push(), repo), [], `${repo} has tags`);
});

// cmctl's and goreleaser's releases carry checksums.txt as an asset of its own: publishing it with
// the archives it lists was refused, 'checksums.txt: not listed in …/checksums.txt; nothing was
// pushed' (publish2 hunt), as the file cannot hold its own sum.
test('checksums.txt published with the files it lists: it need not list itself; skopeo reads it back', async () => {
  const dir = join(work, 'own-sums');
  await mkdir(join(dir, 'dist'), { recursive: true });
  const sums = `${hex(DARWIN)}  cmctl-darwin-arm64.tar.gz\n${hex(LINUX)}  cmctl-linux-amd64.tar.gz\n`;
  await writeFile(join(dir, 'dist', 'cmctl-linux-amd64.tar.gz'), LINUX);
  await writeFile(join(dir, 'dist', 'cmctl-darwin-arm64.tar.gz'), DARWIN);
  await writeFile(join(dir, 'dist', 'checksums.txt'), sums);
  const cfg = await writeConfig(dir, `version: 1
defaults:
  targets: [${reg.host}/own-sums]
${registriesYaml([[reg, { credentials: '{ usernameEnv: REG_USER, passwordEnv: REG_PASS }' }]])}binaries:
  - name: cmctl
    artifactType: ${TYPE}
    files: ["cmctl-*.tar.gz", "checksums.txt"]
    checksums: checksums.txt
`);
  const r = await runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', join(dir, 'dist'), '--no-progress'], { env: env() });
  assert.equal(r.exitCode, 0, r.stderr + r.stdout);
  const doc = JSON.parse((await skopeoRawManifest(`${reg.host}/own-sums/cmctl:v1.2.3`, creds())).toString('utf8'));
  assert.deepEqual(doc.layers.map((l: { digest: string; annotations: Record<string, string> }) => [l.annotations['org.opencontainers.image.title'], l.digest]), [
    ['checksums.txt', `sha256:${hex(sums)}`],
    ['cmctl-darwin-arm64.tar.gz', `sha256:${hex(DARWIN)}`],
    ['cmctl-linux-amd64.tar.gz', `sha256:${hex(LINUX)}`],
  ]);
  // A checksums.txt other than the file checked against is a release file like any other.
  await writeFile(join(dir, 'dist', 'checksums.txt'), `${sums}# edited\n`);
  const other = join(dir, 'other-sums.txt');
  await writeFile(other, sums);
  const cfgOther = await writeConfig(dir, (await readFile(cfg, 'utf8')).replace('checksums: checksums.txt', `checksums: ${other}`), 'other.yaml');
  const refused = await runCli(['publish', '-c', cfgOther, '--tag', 'v1.2.5', '--dir', join(dir, 'dist'), '--no-progress'], { env: env() });
  assert.equal(refused.exitCode, 1, refused.stderr);
  assert.match(refused.stderr, /^regmirror: checksums\.txt: not listed in \S+other-sums\.txt; nothing was pushed/);
});

test('usage errors exit 2 before any push', async () => {
  const cfg = await config('mirrors.yaml', 'checksums.txt');
  const noTag = await runCli(['publish', '-c', cfg, '--dir', releaseDir], { env: env() });
  assert.equal(noTag.exitCode, 2, noTag.stderr);
  assert.match(noTag.stderr, /--tag/);
  const noFiles = await runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', work], { env: env() });
  assert.equal(noFiles.exitCode, 2, noFiles.stderr);
  assert.match(noFiles.stderr, /"cmctl-\*\.tar\.gz" matches no file/);
  const noCreds = await runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', releaseDir], { env: { REG_USER: 'admin' } });
  assert.equal(noCreds.exitCode, 2, noCreds.stderr);
  assert.match(noCreds.stderr, /REG_PASS/);
  const none = await writeConfig(work, `version: 1\ndefaults:\n  targets: [${reg.host}/x]\n`, 'empty.yaml');
  const noBinaries = await runCli(['publish', '-c', none, '--tag', 'v1.2.3'], { env: env() });
  assert.equal(noBinaries.exitCode, 2, noBinaries.stderr);
  assert.match(noBinaries.stderr, /no binaries/);
  assert.deepEqual(await listTags(push(), 'cert-manager/cmctl'), []);
});

test('a URL that answers 404: exit 1 naming the URL, nothing pushed', async () => {
  const cfg = await config('mirrors.yaml', 'checksums.txt');
  const r = await runCli(['publish', '-c', cfg, '--tag', 'v9.9.9', '--dir', releaseDir], { env: env() });
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /v9\.9\.9\/kubectl-cert_manager\.tar\.gz: HTTP 404/);
  assert.deepEqual(await listTags(push(), 'cert-manager/cmctl'), []);
});

test('publish pushes an oras-style artifact to both targets with one digest; a re-run skips', async () => {
  const cfg = await config('mirrors.yaml', 'checksums.txt');
  const r = await runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', releaseDir, '--format', 'json', '--no-progress'], { env: env() });
  assert.equal(r.exitCode, 0, r.stderr);
  const report = JSON.parse(r.stdout) as SyncReport;
  const { repositories, tags, copied, skipped, conflicts, failed } = report.summary;
  assert.deepEqual({ repositories, tags, copied, skipped, conflicts, failed }, { repositories: 2, tags: 2, copied: 4, skipped: 0, conflicts: 0, failed: 0 });
  assert.deepEqual(report.results.flatMap((x) => x.targets.map((t) => `${x.source} ${t.repository} ${t.action}`)).sort(), [
    `cmctl ${reg.host}/cert-manager/cmctl copied`,
    `cmctl ${reg.host}/mirror/cmctl copied`,
    `kubectl-cert-manager ${reg.host}/cert-manager/kubectl-cert-manager copied`,
    `kubectl-cert-manager ${reg.host}/mirror/kubectl-cert-manager copied`,
  ]);
  // Every file once per target; the `{}` config both entries share is uploaded once per target
  // and mounted into the other entry's repositories (same registry), so it counts 2 bytes × 2.
  assert.equal(report.summary.bytes, 2 * (LINUX.length + DARWIN.length + PLUGIN.length) + 2 * 2, 'every file once per target, the shared {} config once per target');

  const raw = await skopeoRawManifest(`${reg.host}/cert-manager/cmctl:v1.2.3`, creds());
  const doc = JSON.parse(raw.toString('utf8'));
  assert.equal(doc.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(doc.artifactType, TYPE);
  assert.equal(doc.config.digest, 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  assert.deepEqual(
    doc.layers.map((l: { mediaType: string; digest: string; size: number; annotations: Record<string, string> }) => [l.mediaType, l.annotations['org.opencontainers.image.title'], l.digest, l.size]),
    [
      ['application/vnd.oci.image.layer.v1.tar', 'cmctl-darwin-arm64.tar.gz', `sha256:${hex(DARWIN)}`, DARWIN.length],
      ['application/vnd.oci.image.layer.v1.tar', 'cmctl-linux-amd64.tar.gz', `sha256:${hex(LINUX)}`, LINUX.length],
    ],
  );
  const a = await skopeoDigest('cert-manager/cmctl:v1.2.3');
  const b = await skopeoDigest('mirror/cmctl:v1.2.3');
  assert.equal(a, b, 'both targets hold the same digest');
  assert.equal(report.results.find((x) => x.source === 'cmctl')?.sourceDigest, a);

  const plugin = JSON.parse((await skopeoRawManifest(`${reg.host}/mirror/kubectl-cert-manager:v1.2.3`, creds())).toString('utf8'));
  assert.equal(plugin.layers[0].annotations['org.opencontainers.image.title'], 'kubectl-cert_manager.tar.gz');
  assert.equal(plugin.layers[0].digest, `sha256:${hex(PLUGIN)}`);
  assert.equal(await skopeoDigest('cert-manager/kubectl-cert-manager:v1.2.3'), await skopeoDigest('mirror/kubectl-cert-manager:v1.2.3'));

  const again = await runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', releaseDir, '--no-progress'], { env: env() });
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, /\b4 skipped\b/, again.stdout);
  const json = await runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', releaseDir, '-o', join(work, 'again.json'), '--format', 'json'], { env: env() });
  assert.equal(json.exitCode, 0, json.stderr);
  assert.equal(json.stdout, '', '-o writes the report to the file');
  const rerun = JSON.parse(await readFile(join(work, 'again.json'), 'utf8')) as SyncReport;
  assert.equal(rerun.summary.skipped, 4);
  assert.equal(rerun.summary.copied, 0);
  assert.equal(await skopeoDigest('cert-manager/cmctl:v1.2.3'), a, 'unchanged');
});

// A release version with build metadata: a tag cannot hold `+`, so helm stores 1.2.3+build.4 as the
// tag 1.2.3_build.4 and sync and verify look for it there (types/tag.ts). publish refused it
// ('--tag "1.2.3+build.4" is not a valid tag', exit 2).
test('publish --tag 1.2.3+build.4 stores it as the tag 1.2.3_build.4, where verify --tag 1.2.3+build.4 finds it', async () => {
  const cfg = await config('build-metadata.yaml', 'checksums.txt', '', ['build', 'build-mirror']);
  const r = await runCli(['publish', '-c', cfg, '--tag', '1.2.3+build.4', '--dir', releaseDir, '--format', 'json', '--no-progress'], { env: env() });
  assert.equal(r.exitCode, 0, r.stderr);
  const report = JSON.parse(r.stdout) as SyncReport;
  assert.deepEqual(report.results.map((x) => `${x.source}:${x.tag}`).sort(), ['cmctl:1.2.3_build.4', 'kubectl-cert-manager:1.2.3_build.4']);
  for (const repo of ['build/cmctl', 'build-mirror/cmctl', 'build/kubectl-cert-manager', 'build-mirror/kubectl-cert-manager']) {
    assert.deepEqual(await listTags(push(), repo), ['1.2.3_build.4'], repo);
  }
  assert.equal(await skopeoDigest('build-mirror/cmctl:1.2.3_build.4'), report.results.find((x) => x.source === 'cmctl')?.sourceDigest);
  const verify = await runCli(['verify', '-c', cfg, '--tag', '1.2.3+build.4', '--format', 'json', '--no-progress'], { env: env() });
  assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
  const audit = JSON.parse(verify.stdout) as { results: { tag: string; targets: { status: string }[] }[] };
  assert.deepEqual(audit.results.map((x) => [x.tag, x.targets.map((t) => t.status)]), [['1.2.3_build.4', ['in-sync']], ['1.2.3_build.4', ['in-sync']]]);
});

// verify audits binaries target against target; what one lacks, only publish pushes (sync copies
// images only), yet its advice was "run `regmirror sync` to copy missing tags" (docs hunt).
test('verify advises publish, not sync, for a binaries tag a target lacks', async () => {
  const cfg = await config('three-targets.yaml', 'checksums.txt', '', ['cert-manager', 'mirror', 'later']);
  const r = await runCli(['verify', '-c', cfg, '--tag', 'v1.2.3', '--no-progress'], { env: env() });
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stdout, /next: missing binaries: push them with `regmirror publish --tag TAG` \(sync copies images only\)/, r.stdout);
  assert.doesNotMatch(r.stdout, /regmirror sync/, r.stdout);
  const json = await runCli(['verify', '-c', cfg, '--tag', 'v1.2.3', '--format', 'json', '-o', join(work, 'binaries.json')], { env: env() });
  assert.equal(json.exitCode, 1, json.stderr);
  const rendered = await runCli(['report', 'render', join(work, 'binaries.json'), '--format', 'markdown']);
  assert.equal(rendered.exitCode, 0, rendered.stderr);
  assert.match(rendered.stdout, /missing binaries: push them with `regmirror publish --tag TAG`/, 'the saved report keeps the row a binaries one');
});

test('a tag at another digest is a conflict (exit 1, untouched) until --force', async () => {
  // Someone pushed something else as cmctl:v2.0.0 at one target.
  const other = Buffer.from('{"other":true}');
  const otherDigest = await pushBlob(push(), 'mirror/cmctl', other);
  const empty = await pushBlob(push(), 'mirror/cmctl', Buffer.from('{}'));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: TYPE,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: otherDigest, size: other.length }],
  }));
  const foreign = await pushManifest(push(), 'mirror/cmctl', 'v2.0.0', manifest, 'application/vnd.oci.image.manifest.v1+json');
  const cfg = await config('mirrors.yaml', 'checksums.txt');
  const r = await runCli(['publish', '-c', cfg, '--tag', 'v2.0.0', '--dir', releaseDir, '--filter', 'cmctl', '--no-progress'], { env: env() });
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stdout, /conflict/);
  assert.equal(await getManifestDigest(push(), 'mirror/cmctl', 'v2.0.0'), foreign, 'left alone');
  const published = await getManifestDigest(push(), 'cert-manager/cmctl', 'v2.0.0');
  assert.ok(published && published !== foreign, 'the other target still got the release');
  assert.deepEqual(await listTags(push(), 'cert-manager/kubectl-cert-manager'), ['v1.2.3'], '--filter kept the other entry out');

  const forced = await runCli(['publish', '-c', cfg, '--tag', 'v2.0.0', '--dir', releaseDir, '--filter', 'cmctl', '--force', '--no-progress'], { env: env() });
  assert.equal(forced.exitCode, 0, forced.stderr);
  assert.equal(await getManifestDigest(push(), 'mirror/cmctl', 'v2.0.0'), published);
});
