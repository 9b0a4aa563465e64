// A source registry that redirects blob GETs to an object store whose certificate this machine
// does not trust: the line already says which host and what to do (its CA as caFile), but each
// blob was tried once per copier attempt (five reads of every blob, all refused the same way)
// before the tag failed. A refused certificate does not change on retry: one read per blob. The
// object store's CA as ca.crt in its certs.d directory (as skopeo reads one) trusts it; a directory
// that cannot be used (a ca.crt that is no certificate, a client.cert without its key) is said once,
// naming the file and what to do, where it failed each blob's request with a usage error (no
// 'error:' line at all) or read as 'not trusted: give it as caFile' with no word of the file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy.js';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { proxyFor, oneMirrorYaml, registriesYaml } from '../../harness/tls-bed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { testCerts } from '../../harness/tls.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let source: RunningRegistry;
let target: RunningRegistry;
let store: FaultProxy; // the object store: serves the source's blobs with a self-signed certificate
let sibling: FaultProxy; // another, its certificate signed by the source's own CA
let dir: string;
let digest: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  store = await startFaultProxy(source.url, { tls: (await testCerts()).servers.selfSigned, upstreamCa: source.caFile });
  sibling = await startFaultProxy(source.url, { tls: (await testCerts()).servers.good, upstreamCa: source.caFile });
  dir = await scratchDir('store-certificate');
  [{ digest }] = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], single: true, format: 'oci' }) as [SeededImage];
});

after(async () => {
  await Promise.all([store?.close(), sibling?.close()]);
  await Promise.all([source, target].map((r) => r && destroyRegistry(r)));
});

/** The source behind a proxy that redirects every blob GET to the object store (`to`). */
const redirecting = (to = store) => proxyFor(source, {
  personalities: [(ex) => {
    if (ex.method !== 'GET' || !/\/blobs\/sha256:/.test(ex.path)) return false;
    ex.entry.status = 307;
    ex.res.writeHead(307, { location: `${to.url}${ex.path}`, 'content-length': '0' }).end();
    return true;
  }],
});

test('blobs redirected to an object store with an untrusted certificate: one read each, one clear line', async () => {
  const registry = await redirecting();
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

test('the object store\'s CA as ca.crt in its certs.d directory: its blobs are read, whether or not its host is under registries:', async () => {
  const registry = await redirecting();
  after(() => registry.close());
  const roots = join(dir, 'certs.d');
  await mkdir(join(roots, store.host), { recursive: true });
  await copyFile((await testCerts()).servers.selfSigned.cert, join(roots, store.host, 'ca.crt'));
  const listed = `version: 1\ndefaults:\n  targets: [${target.host}/listed]\n${registriesYaml([source, target, [{ host: store.host }, { tls: 'verify' }]])}images:\n  - source: ${source.host}/jetstack/app\n`;
  for (const [ns, yaml] of [['mirror', oneMirrorYaml(source, target, 'jetstack/app')], ['listed', listed]] as const) {
    const file = await writeConfig(join(dir, ns), yaml);
    const run = await runCli(['sync', '-c', file, '--no-progress', '--endpoint', `${source.host}=${registry.url}`], { env: { REGMIRROR_CERTS_D: roots } });
    assert.equal(run.exitCode, 0, `${ns}: ${run.stderr}${run.stdout}`);
    assert.equal(await skopeoDigestVerified(`${target.host}/${ns}/app:v1.0.0`, target.certDir!), digest);
  }
  assert.ok(registry.stats.log.some((e) => e.status === 307), 'the blobs were redirected to the object store');
});

test('a malformed certs.d directory of the object store (a *.crt that is no certificate, or DER, a client.cert without its key): one line naming the directory, the file and what to do, each blob read once, exit 1', async () => {
  const registry = await redirecting();
  after(() => registry.close());
  const certs = await testCerts();
  const cases: [string, (at: string) => Promise<void>, RegExp][] = [
    ['not-a-certificate', (at) => writeFile(join(at, 'ca.crt'), 'this is not a certificate\n'), /ca\.crt holds no PEM certificate .*: put there the CA certificate \(PEM\) that signed [^ ]+'s, or remove the file$/],
    ['der', async (at) => writeFile(join(at, 'ca.crt'), new X509Certificate(await readFile(certs.servers.selfSigned.cert)).raw), /ca\.crt is a DER \(binary\) certificate, and only PEM is read: convert it with `openssl x509 -inform der .*: put there the CA certificate \(PEM\) that signed [^ ]+'s, or remove the file$/],
    ['key-missing', async (at) => {
      await copyFile(certs.servers.selfSigned.cert, join(at, 'ca.crt'));
      await copyFile(certs.client.cert, join(at, 'client.cert'));
    }, /client\.cert has no client\.key beside it .*: put its key there as client\.key, or remove client\.cert/],
  ];
  for (const [name, make, said] of cases) {
    const roots = join(dir, name, 'certs.d');
    await mkdir(join(roots, store.host), { recursive: true });
    await make(join(roots, store.host));
    const before = registry.stats.log.length;
    const file = await writeConfig(join(dir, name), oneMirrorYaml(source, target, 'jetstack/app', name));
    const run = await runCli(['sync', '-c', file, '--no-progress', '--endpoint', `${source.host}=${registry.url}`], { env: { REGMIRROR_CERTS_D: roots } });
    assert.equal(run.exitCode, 1, `${name}: ${run.stderr}${run.stdout}`);
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('error: '));
    assert.equal(lines.length, 1, `${name}: one line\n${run.stderr}`);
    assert.ok(lines[0]!.startsWith(`error: ${store.host}, where a blob was redirected: certs.d for ${store.host}: ${join(roots, store.host)}/`), `${name}: names the directory\n${lines[0]}`);
    assert.match(lines[0]!, said, name);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    const redirected = registry.stats.log.slice(before).filter((e) => e.status === 307);
    assert.equal(redirected.length, new Set(redirected.map((e) => e.path)).size, `${name}: a blob was redirected again`);
  }
});

test('an object store signed by the registry\'s own CA (its caFile, or ca.crt in its certs.d): its blobs are read, as skopeo reads them with that cert dir', async () => {
  // skopeo's one client per registry trusts a redirect target by the registry's CAs (and so did
  // engine: skopeo); native said 'not trusted: give the CA as caFile under registries: STORE'.
  const registry = await redirecting(sibling);
  after(() => registry.close());
  const roots = join(dir, 'sibling-certs.d');
  await mkdir(join(roots, registry.host), { recursive: true });
  await copyFile(source.caFile!, join(roots, registry.host, 'ca.crt'));
  const byCertsD = `version: 1\ndefaults:\n  targets: [${target.host}/by-certs-d]\n${registriesYaml([{ host: source.host }, target])}images:\n  - source: ${source.host}/jetstack/app\n`;
  for (const [ns, yaml] of [['by-ca-file', oneMirrorYaml(source, target, 'jetstack/app', 'by-ca-file')], ['by-certs-d', byCertsD.replace(`${source.host}: {}`, `${source.host}: { tls: verify }`)]] as const) {
    const file = await writeConfig(join(dir, ns), yaml);
    const run = await runCli(['sync', '-c', file, '--no-progress', '--endpoint', `${source.host}=${registry.url}`], { env: { REGMIRROR_CERTS_D: roots } });
    assert.equal(run.exitCode, 0, `${ns}: ${run.stderr}${run.stdout}`);
    assert.equal(await skopeoDigestVerified(`${target.host}/${ns}/app:v1.0.0`, target.certDir!), digest);
  }
  assert.ok(registry.stats.log.some((e) => e.status === 307), 'the blobs were redirected to the object store');
});
