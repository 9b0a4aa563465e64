// Refusals: manifests over 4 MiB, invalid JSON, unknown digest algorithms and tags outside the
// OCI grammar at the source; inline secrets in mirrors.yaml; a credential helper name that
// would be a shell command; and the once-only warning for plain HTTP / unverified TLS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { digestOf, listTags, pseudoRandomBytes, seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { startFakeSource, type FakeSource } from './fake-source.js';
import { adminPush, skopeoRawDigest } from './helpers.js';
import { scratchDir } from '../../harness/scratch.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
let tgt: RunningRegistry;
let fake: FakeSource;
let dir: string;
let good: Buffer;
const BAD_TAGS = ['.starts-with-dot', `v${'9'.repeat(140)}`];

function manifest(layerDigest: string, layerSize: number, config: Buffer, annotations?: Record<string, string>): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layerSize }],
    ...(annotations ? { annotations } : {}),
  }));
}

before(async () => {
  tgt = await startRegistry({ tls: true });
  dir = await scratchDir('security');
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = pseudoRandomBytes('security-layer', 2048);
  good = manifest(digestOf(layer), layer.length, config);
  fake = await startFakeSource('jetstack/app', [
    { tag: 'v1.0.0', bytes: good, mediaType: OCI_MANIFEST },
    { tag: 'v1.0.1', bytes: manifest(digestOf(layer), layer.length, config, { pad: 'x'.repeat(4 * 1024 * 1024 + 100) }), mediaType: OCI_MANIFEST },
    { tag: 'v1.0.2', bytes: manifest('md5:0123456789abcdef0123456789abcdef', 16, config), mediaType: OCI_MANIFEST },
    { tag: 'v1.0.3', bytes: Buffer.from(`{"schemaVersion": 2, "mediaType": "${OCI_MANIFEST}", "config": `), mediaType: OCI_MANIFEST },
  ], [config, layer], BAD_TAGS);
});

after(async () => {
  await fake?.close();
  if (tgt) await destroyRegistry(tgt);
});

test('oversized, invalid and unknown-algorithm manifests fail with a clear error each; the good tag copies', async () => {
  const file = await writeConfig(join(dir, 'src'), `version: 1
defaults:
  targets: [${tgt.host}/cert-manager]
${registriesYaml([tgt])}images:
  - source: ${fake.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', file, '--report', join(dir, 'report.json')]);
  const out = run.stdout + run.stderr;
  assert.equal(run.exitCode, 1, out);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(await skopeoRawDigest(tgt, 'cert-manager/app', 'v1.0.0'), digestOf(good));
  assert.deepEqual((await listTags(adminPush(tgt), 'cert-manager/app')).sort(), ['v1.0.0'], 'only the good tag reached the target');
  const lineOf = (tag: string) => out.split('\n').filter((l) => l.includes(tag)).join('\n');
  assert.match(lineOf('v1.0.1'), /4 ?MiB|too (large|big)|exceeds|over the 4194304-byte limit/i, `v1.0.1: ${lineOf('v1.0.1')}`);
  assert.match(lineOf('v1.0.2'), /algorithm|md5|unsupported digest/i, `v1.0.2: ${lineOf('v1.0.2')}`);
  assert.match(lineOf('v1.0.3'), /JSON|parse|invalid/i, `v1.0.3: ${lineOf('v1.0.3')}`);
  // Tags outside the OCI grammar are never asked for, nor written.
  for (const tag of BAD_TAGS) {
    assert.ok(!fake.requests.some((r) => r.includes(`/manifests/${tag}`)), `${tag} was requested`);
    assert.ok(run.stderr.includes(tag.slice(0, 20)), `${tag} dropped without a word`);
  }
});

test('an inline password in mirrors.yaml: exit 2 pointing at passwordEnv, the value not echoed, no request', async () => {
  const secret = 'Inline-S3cret-do-not-echo';
  const file = await writeConfig(join(dir, 'inline'), `version: 1
defaults:
  targets: [${tgt.host}/cert-manager]
registries:
  ${fake.host}:
    credentials: { usernameEnv: U, password: ${secret} }
images:
  - source: ${fake.host}/jetstack/app
`);
  const before = fake.requests.length;
  for (const cmd of ['validate', 'sync', 'verify']) {
    const run = await runCli([cmd, '-c', file], { env: { U: 'robot' } });
    assert.equal(run.exitCode, 2, `${cmd}: ${run.stderr}`);
    assert.match(run.stderr, /passwordEnv/, cmd);
    assert.match(run.stderr, /^\S*mirrors\.yaml:\d+:\d+: /, cmd);
    assert.ok(!(run.stdout + run.stderr).includes(secret), `${cmd} echoed the password`);
  }
  assert.equal(fake.requests.length, before, 'a request was made');
});

test('a credential helper is run without a shell: a name with shell syntax executes nothing', async () => {
  const src = await startRegistry({ auth: 'htpasswd', tls: true });
  try {
    await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true });
    const pwned = join(dir, 'pwned');
    const bin = join(dir, 'bin');
    // A real helper next to the evil one proves helpers do run (and get the server URL on stdin).
    const helper = join(bin, 'docker-credential-rmtest');
    await writeConfig(bin, `#!/bin/sh\nread server\nprintf '{"ServerURL":"%s","Username":"admin","Secret":"${src.users.admin}"}' "$server"\n`, 'docker-credential-rmtest');
    await chmod(helper, 0o755);
    const evil = join(dir, 'docker-evil');
    await writeConfig(evil, JSON.stringify({ credHelpers: { [src.host]: `x; touch ${pwned}; echo` } }), 'config.json');
    const goodCfg = join(dir, 'docker-good');
    await writeConfig(goodCfg, JSON.stringify({ credHelpers: { [src.host]: 'rmtest' } }), 'config.json');
    const file = await writeConfig(join(dir, 'helper'), `version: 1
defaults:
  targets: [${tgt.host}/helper]
${registriesYaml([src, tgt])}images:
  - source: ${src.host}/jetstack/app
`);
    const path = `${bin}:${process.env.PATH}`;
    const bad = await runCli(['verify', '-c', file], { env: { DOCKER_CONFIG: evil, PATH: path } });
    assert.notEqual(bad.exitCode, 0, 'anonymous cannot read the source');
    await assert.rejects(access(pwned), 'the helper name ran as a shell command');
    const ok = await runCli(['sync', '-c', file], { env: { DOCKER_CONFIG: goodCfg, PATH: path } });
    assert.equal(ok.exitCode, 0, ok.stderr + ok.stdout);
    assert.ok(!(ok.stdout + ok.stderr).includes(src.users.admin!));
  } finally {
    await destroyRegistry(src);
  }
});

test('tls: disabled / insecure on a non-loopback name is warned about once per run, loopback not at all', async () => {
  // About plain HTTP: both registries here serve it (one of the tests that prove plain HTTP on loopback works).
  const [src, plain] = await Promise.all([startRegistry(), startRegistry()]);
  try {
    await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.0.1'], format: 'oci', platforms: 2 });
    const file = await writeConfig(join(dir, 'tls'), `version: 1
defaults:
  targets: [${plain.host}/warned]
registries:
  mirror.example.com:
    tls: disabled
  secure.example.com:
    tls: insecure
  ${plain.host}:
    tls: disabled
images:
  - source: mirror.example.com/jetstack/app
`);
    const run = await runCli(['sync', '-c', file, '--endpoint', `mirror.example.com=${src.url}`]);
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    const lines = (run.stdout + run.stderr).split('\n');
    assert.equal(lines.filter((l) => l.includes('mirror.example.com') && /plain HTTP|tls: disabled|not encrypted/i.test(l)).length, 1, run.stderr);
    assert.equal(lines.filter((l) => l.includes('secure.example.com') && /insecure|verification/i.test(l)).length, 1, run.stderr);
    assert.equal(lines.filter((l) => l.includes(plain.host) && /plain HTTP|tls:|insecure/i.test(l)).length, 0, 'loopback is warned about');
  } finally {
    await Promise.all([destroyRegistry(src), destroyRegistry(plain)]);
  }
});
