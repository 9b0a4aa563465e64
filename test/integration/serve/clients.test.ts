// Real clients pull through `regmirror serve` in front of real registries: skopeo (copy --all,
// every digest checked), podman, and regmirror itself (a sync whose source is the gateway).
// Also: only GET/HEAD, no catalog, no open proxy, and no client credential reaches a backend.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { execa } from 'execa';
import { skopeoCopyAll, skopeoDigest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, type GatewayProcess } from './gateway-process.js';
import { pushBlob, pushManifest } from '../../harness/seed.js';
import { scratchDir } from '../../harness/scratch.js';
import { containerdUnavailable, startContainerd } from '../../harness/containerd.js';

let world: World;
let gw: GatewayProcess;

before(async () => {
  world = await startWorld();
  gw = await startGateway(await world.config('  host: img.example.test\n  healthInterval: 1'));
});

after(async () => {
  const code = await gw?.stop();
  assert.equal(code, 0, 'serve exits 0 on SIGTERM');
  await world?.close();
});

test('skopeo copy --all through the gateway gets every platform, byte for byte', { timeout: 180_000 }, async () => {
  for (const [tag, img] of world.images) {
    assert.equal(await skopeoDigest(`${gw.host}/app:${tag}`), img.digest, `${tag}: the recorded digest`);
    const out = join(world.dir, `oci-${tag}`);
    await skopeoCopyAll(`${gw.host}/app:${tag}`, `oci:${out}:${tag}`, { preserveDigests: true });
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests[0]!.digest, img.digest, `${tag}: the layout holds the same index`);
    for (const child of img.childDigests) assert.ok((await readFile(join(out, 'blobs', 'sha256', child.slice(7)))).length > 0, `${tag}: child ${child}`);
  }
  const pulls = gw.events.filter((e) => e.kind === 'pull' && e.image === 'app' && e.tag === 'v1.14.0' && !e.repeat);
  assert.equal(pulls.length, world.images.get('v1.14.0')!.childDigests.length, 'copy --all: one pull per platform, attributed to the tag');
  const blobs = gw.events.filter((e) => e.kind === 'blob');
  assert.ok(blobs.length > 0 && blobs.every((e) => e.status === 307 || e.status === 200), 'blobs are redirected or streamed');
});

test('podman pulls through the gateway', { timeout: 240_000 }, async (t) => {
  const which = await execa('podman', ['--version'], { reject: false });
  if (which.exitCode !== 0) return t.skip('podman is not installed');
  const root = join(world.dir, 'podman-root');
  const base = ['--root', root, '--runroot', join(world.dir, 'podman-run'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'];
  const img = world.images.get('v1.15.0')!;
  const pull = await execa('podman', [...base, 'pull', '--tls-verify=false', '--quiet', `${gw.host}/app:v1.15.0`], { reject: false, timeout: 200_000 });
  assert.equal(pull.exitCode, 0, pull.stderr);
  const digest = await execa('podman', [...base, 'image', 'inspect', '--format', '{{.Digest}}', `${gw.host}/app:v1.15.0`], { reject: false });
  assert.equal(digest.stdout.trim(), img.digest, 'podman records the index digest it pulled');
  const podmanPulls = gw.events.filter((e) => e.kind === 'pull' && e.tag === 'v1.15.0' && e.client === 'podman' || (e.kind === 'pull' && e.tag === 'v1.15.0' && e.client === 'containers-image'));
  assert.ok(podmanPulls.length >= 1, `podman's pull counted: ${JSON.stringify(gw.events.filter((e) => e.kind === 'pull').map((e) => e.client))}`);
});

test('regmirror sync with the gateway as its source copies the same digests', { timeout: 180_000 }, async () => {
  const out = join(world.dir, 'layouts');
  // The gateway answers blob requests with a 307 to a backend that serves them anonymously: a
  // client follows it to the backend itself, so it must trust the backends' CA too.
  const config = await writeConfig(join(world.dir, 'via-gateway'), `version: 1
${registriesYaml([{ host: world.proxyA.host, caFile: world.regA.caFile }, { host: world.proxyB.host, caFile: world.regB.caFile }])}images:
  - source: ${gw.host}/app
    targets: [oci:${out}]
`);
  const sync = await runCli(['sync', '-c', config, '-q', '--no-progress', '--format', 'json'], {});
  assert.equal(sync.exitCode, 0, sync.stderr);
  for (const [tag, img] of world.images) assert.equal(await skopeoDigest(`oci:${join(out, 'app')}:${tag}`), img.digest, tag);
});

test('only GET and HEAD; no catalog; names not configured are 404', async () => {
  for (const method of ['PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS']) {
    const res = await fetch(`${gw.url}/v2/app/manifests/v1.14.0`, { method });
    await res.arrayBuffer();
    assert.equal(res.status, 405, method);
  }
  const upload = await fetch(`${gw.url}/v2/app/blobs/uploads/`, { method: 'POST' });
  assert.equal(upload.status, 405);
  const catalog = await fetch(`${gw.url}/v2/_catalog`);
  assert.equal(catalog.status, 404);
  const other = await fetch(`${gw.url}/v2/jetstack/app/manifests/v1.14.0`);
  assert.equal(other.status, 404, 'the source path is not served: no open proxy');
  const base = await fetch(`${gw.url}/v2/`);
  assert.equal(base.status, 200);
  assert.equal(base.headers.get('www-authenticate'), null);
});

test('a client\'s credentials never reach a backend, and backend challenges never reach the client', async () => {
  const secret = `Basic ${Buffer.from('mallory:client-s3cret').toString('base64')}`;
  const img = world.images.get('v1.14.0')!;
  // Registry A answers 503 to everything: the requests go to B, which needs the gateway's own token.
  world.proxyA.inject({ times: Infinity, fault: { kind: 'status', status: 503 } });
  const before = world.authSeen.b.length;
  for (const path of [`/v2/app/manifests/v1.14.0`, `/v2/app/manifests/${img.childDigests[0]}`, `/v2/app/blobs/${img.blobDigests[0]}`]) {
    const res = await fetch(`${gw.url}${path}`, { headers: { authorization: secret, accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' }, redirect: 'manual' });
    await res.arrayBuffer();
    assert.ok([200, 307].includes(res.status), `${path}: ${res.status}`);
    assert.equal(res.headers.get('www-authenticate'), null);
  }
  const seen = [...world.authSeen.a, ...world.authSeen.b];
  assert.ok(!seen.some((a) => a.includes(secret.slice(6)) || a === secret), 'the client\'s Authorization reached a backend');
  assert.ok(world.authSeen.b.length > before, 'backend B was asked, with the gateway\'s own token');
  assert.ok(world.authSeen.b.every((a) => a.startsWith('Bearer ')), 'only bearer tokens the gateway fetched itself');
  world.proxyA.clear();
  assert.ok(!world.proxyB.cdn.authorizationHeadersSeen.includes(secret));
});

test('containerd (ctr) pulls every platform through the gateway', { timeout: 240_000 }, async (t) => {
  const why = await containerdUnavailable();
  if (why) return t.skip(why);
  const ctrd = await startContainerd();
  try {
    const img = world.images.get('v1.14.0')!;
    const before = gw.events.length;
    const pull = await ctrd.ctr(['images', 'pull', '--plain-http', '--all-platforms', `${gw.host}/app:v1.14.0`], { timeoutMs: 200_000 });
    assert.equal(pull.exitCode, 0, pull.stderr);
    const list = await ctrd.ctr(['images', 'ls']);
    assert.match(list.stdout, new RegExp(`${gw.host}/app:v1.14.0\\s+\\S+\\s+${img.digest}`), list.stdout);
    const pulls = gw.events.slice(before).filter((e) => e.kind === 'pull' && e.client === 'containerd' && e.tag === 'v1.14.0');
    assert.equal(pulls.length, img.childDigests.length, 'one pull per platform, attributed through the index');
  } finally {
    await ctrd.close();
  }
});

test('binaries: 307 to the release URL, or to the file\'s layer in the OCI artifact', { timeout: 120_000 }, async () => {
  // urls: the gateway redirects, curl -L follows to the release host.
  const body = Buffer.from('cmctl release bytes\n');
  const releases = createServer((req, res) => (req.url === '/download/v2.1.0/cmctl_linux_amd64.tar.gz' ? res.end(body) : res.writeHead(404).end()));
  await new Promise<void>((r) => releases.listen(0, '127.0.0.1', r));
  const port = (releases.address() as { port: number }).port;
  // An oras-style artifact pushed to mirror-a/tool: one layer titled tool.txt.
  const file = Buffer.from('tool file\n');
  const layer = await pushBlob({ url: world.regA.url }, 'mirror-a/tool', file);
  const config = await pushBlob({ url: world.regA.url }, 'mirror-a/tool', Buffer.from('{}'));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.example.tool.v1',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: config, size: 2 },
    layers: [{ mediaType: 'text/plain', digest: layer, size: file.length, annotations: { 'org.opencontainers.image.title': 'tool.txt' } }],
  }));
  await pushManifest({ url: world.regA.url }, 'mirror-a/tool', 'v1.0.0', manifest, 'application/vnd.oci.image.manifest.v1+json');
  const yaml = (await readFile(await world.config('  healthInterval: 1', { name: 'probe.yaml' }), 'utf8'))
    .replace('gateway:', `binaries:
  - name: cmctl
    artifactType: application/vnd.cert-manager.cmctl.v1
    urls: ["http://127.0.0.1:${port}/download/{tag}/cmctl_linux_amd64.tar.gz"]
  - name: tool
    artifactType: application/vnd.example.tool.v1
    files: ["tool.txt"]
    targets: [${world.proxyA.host}/mirror-a]
gateway:`);
  const g = await startGateway(await writeConfig(world.dir, yaml, 'binaries.yaml'));
  try {
    const cwd = await scratchDir('curl');
    const a = await execa('curl', ['-fsSLO', `${g.url}/cmctl/v2.1.0/cmctl_linux_amd64.tar.gz`], { cwd, reject: false });
    assert.equal(a.exitCode, 0, a.stderr);
    assert.deepEqual(await readFile(join(cwd, 'cmctl_linux_amd64.tar.gz')), body);
    // The 307 goes to the backend (HTTPS from the test CA): curl trusts that CA.
    const b = await execa('curl', ['-fsSLO', '--cacert', world.regA.caFile!, `${g.url}/tool/v1.0.0/tool.txt`], { cwd, reject: false });
    assert.equal(b.exitCode, 0, b.stderr);
    assert.deepEqual(await readFile(join(cwd, 'tool.txt')), file);
    const missing = await fetch(`${g.url}/tool/v1.0.0/other.txt`, { redirect: 'manual' });
    assert.equal(missing.status, 404);
    await until(() => g.events.filter((e) => e.kind === 'binary').length === 3, 'three binary events');
    assert.deepEqual(g.events.filter((e) => e.kind === 'binary').map((e) => e.status), [307, 307, 404]);
  } finally {
    assert.equal(await g.stop(), 0);
    releases.close();
  }
});

test('a backend that redirects blobs to object storage: the client gets that signed URL, and no token goes there', { timeout: 120_000 }, async () => {
  const img = world.images.get('v1.15.0')!;
  world.proxyA.inject({ times: Infinity, fault: { kind: 'status', status: 503 } });
  world.proxyB.redirectBlobsToCdn(Infinity);
  try {
    const blob = img.blobDigests[1]!;
    const res = await fetch(`${gw.url}/v2/app/blobs/${blob}`, { redirect: 'manual' });
    await res.arrayBuffer();
    assert.equal(res.status, 307);
    assert.ok(res.headers.get('location')!.startsWith(world.proxyB.cdn.url), res.headers.get('location')!);
    await skopeoCopyAll(`${gw.host}/app:v1.15.0`, `oci:${join(world.dir, 'cdn')}:v1.15.0`, { preserveDigests: true });
    assert.equal(await skopeoDigest(`oci:${join(world.dir, 'cdn')}:v1.15.0`), img.digest);
    assert.ok(world.proxyB.cdn.requests.length > 0, 'clients fetched from the object store');
    assert.deepEqual(world.proxyB.cdn.authorizationHeadersSeen, [], 'no Authorization at the object store');
  } finally {
    world.proxyA.clear();
    world.proxyB.clear();
  }
});

test('limits: headers too large, a request body, a client over its rate; config errors exit 2', { timeout: 120_000 }, async () => {
  const g = await startGateway(await world.config('  healthInterval: 1', { name: 'limits.yaml' }), ['--client-rate', '1']);
  try {
    const big = await fetch(`${g.url}/v2/`, { headers: { 'x-padding': 'x'.repeat(32 * 1024) } });
    assert.equal(big.status, 431, 'headers over 16 KiB');
    const body = await execa('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'GET', '--data-binary', 'abc', `${g.url}/v2/`], { reject: false });
    assert.equal(body.stdout, '413', 'a GET with a body');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${g.url}/v2/`, { headers: { 'x-forwarded-for': '10.9.9.9' } });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    assert.deepEqual(statuses.slice(0, 2), [200, 200], 'a burst of twice the rate');
    assert.ok(statuses.slice(2).includes(429), `then 429: ${statuses}`);
    const other = await fetch(`${g.url}/v2/`, { headers: { 'x-forwarded-for': '10.9.9.10' } });
    assert.equal(other.status, 200, 'another client is not starved');
  } finally {
    assert.equal(await g.stop(), 0);
  }
  const none = await runCli(['serve', '-c', await writeConfig(join(world.dir, 'nogw'), 'version: 1\nimages: []\n')]);
  assert.equal(none.exitCode, 2);
  assert.match(none.stderr, /mirrors\.yaml:1:1: no gateway: section/);
  const bad = await runCli(['serve', '-c', await world.config('  listen: nowhere', { name: 'bad.yaml' })]);
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /bad\.yaml:\d+:\d+: gateway\.listen: expected host:port/);
});
