// Behind a TLS-intercepting corporate proxy (HTTPS_PROXY; the proxy decrypts every tunnel and
// re-signs the registry's certificate with the corporate CA, which is installed in this machine's
// store only, here SSL_CERT_FILE): skopeo reads through it, and so must sync, verify, engine:
// skopeo and the gateway's backends, with no caFile. An https:// proxy's own certificate names the
// proxy, not the registries it tunnels to, and is trusted by the machine's store as Go trusts it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { startForwardProxy, PROXIED_NAME, type ForwardProxy } from '../../harness/forward-proxy.js';
import { makeCa, signCert, testCerts, type ServerCert } from '../../harness/tls.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { startGateway } from '../serve/gateway-process.js';

const SOURCE = `${PROXIED_NAME}:443`;
const TARGET = `${PROXIED_NAME}:8443`;

let source: RunningRegistry;
let target: RunningRegistry;
let corporate: ServerCert; // the corporate CA: in SSL_CERT_FILE, nowhere else
let proxy: ForwardProxy;
let dir: string;
let image: SeededImage;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('intercepting-proxy');
  corporate = await makeCa(await scratchDir('corporate-ca'), 'Example Corp TLS inspection CA');
  [image] = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 }) as [SeededImage];
  proxy = await startForwardProxy({ hosts: { [SOURCE]: source.host, [TARGET]: target.host }, intercept: { ca: corporate, upstreamCa: (await testCerts()).caFile } });
});

after(async () => {
  await proxy?.close();
  await Promise.all([source && destroyRegistry(source), target && destroyRegistry(target)]);
});

/** From registry.proxy.test to registry.proxy.test:8443/`ns`, neither with a caFile. */
const config = (name: string, ns: string) => writeConfig(join(dir, name), `version: 1
defaults:
  targets: [${TARGET}/${ns}]
${registriesYaml([[{ host: PROXIED_NAME }, { maxAttempts: 3 }], [{ host: TARGET }, { maxAttempts: 3 }]])}images:
  - source: ${PROXIED_NAME}/jetstack/app
`);

/** The environment of a machine whose store holds the corporate CA, behind `url`. */
const behind = (url: string) => ({ HTTPS_PROXY: url, SSL_CERT_FILE: corporate.cert });

/** Every digest of the mirrored image, judged by skopeo on the target's real loopback address. */
async function assertMirrored(ns: string): Promise<void> {
  assert.equal(await skopeoDigestVerified(`${target.host}/${ns}/app:v1.0.0`, target.certDir!), image.digest);
}

test('sync and verify through a TLS-intercepting proxy trust its CA in SSL_CERT_FILE, as skopeo does; without it, not trusted', async () => {
  const file = await config('native.yaml', 'mirror');
  const skopeo = await execa('skopeo', ['inspect', '--raw', `docker://${PROXIED_NAME}/jetstack/app:v1.0.0`], { env: behind(proxy.url), reject: false, stdin: 'ignore' });
  assert.equal(skopeo.exitCode, 0, skopeo.stderr);
  assert.equal(`sha256:${createHash('sha256').update(skopeo.stdout).digest('hex')}`, image.digest, 'skopeo read the source through the proxy');
  const untrusted = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: proxy.url } });
  assert.equal(untrusted.exitCode, 3, untrusted.stderr + untrusted.stdout);
  assert.match(untrusted.stderr, new RegExp(`error: ${PROXIED_NAME}: its TLS certificate is not trusted`), 'the proxy re-signed the certificate');
  const run = await runCli(['sync', '-c', file, '--no-progress'], { env: behind(proxy.url) });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  await assertMirrored('mirror');
  const verify = await runCli(['verify', '-c', file, '--no-progress'], { env: behind(proxy.url) });
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
});

test('engine: skopeo through the intercepting proxy, the corporate CA in SSL_CERT_FILE', async () => {
  const file = await config('skopeo.yaml', 'skopeo');
  const before = proxy.carried.get(TARGET) ?? 0;
  const run = await runCli(['sync', '-c', file, '--engine', 'skopeo', '--no-progress'], { env: behind(proxy.url) });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok((proxy.carried.get(TARGET) ?? 0) > before, 'skopeo tunnelled to the target through the proxy');
  await assertMirrored('skopeo');
});

test('the gateway reaches its backend through the intercepting proxy, the corporate CA in SSL_CERT_FILE', async () => {
  const file = await config('gateway.yaml', 'mirror');
  await appendFile(file, 'gateway:\n  healthInterval: 1\n');
  const gw = await startGateway(file, [], behind(proxy.url));
  try {
    const res = await fetch(`${gw.url}/v2/app/manifests/v1.0.0`, { headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, gw.stderr());
    assert.equal(`sha256:${createHash('sha256').update(body).digest('hex')}`, image.digest);
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});

test('an https:// proxy whose own certificate names only itself, its CA in NODE_EXTRA_CA_CERTS: trusted, the name checked being the proxy\'s', async () => {
  const secure = await httpsProxy();
  try {
    const file = await config('https-proxy.yaml', 'https-proxy');
    const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: secure.url, NODE_EXTRA_CA_CERTS: corporate.cert } });
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.ok((secure.carried.get(TARGET) ?? 0) > 0, 'the target was reached through the https:// proxy');
    await assertMirrored('https-proxy');
  } finally {
    await secure.close();
  }
});

test('an https:// proxy whose own certificate the corporate CA signed, that CA in SSL_CERT_FILE only: trusted, as skopeo trusts it', async () => {
  const secure = await httpsProxy();
  try {
    const skopeo = await execa('skopeo', ['inspect', '--raw', `docker://${PROXIED_NAME}/jetstack/app:v1.0.0`], { env: behind(secure.url), reject: false, stdin: 'ignore' });
    assert.equal(skopeo.exitCode, 0, skopeo.stderr);
    const file = await config('https-proxy-store.yaml', 'https-proxy-store');
    const run = await runCli(['sync', '-c', file, '--no-progress'], { env: behind(secure.url) });
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    await assertMirrored('https-proxy-store');
    const viaSkopeo = await runCli(['sync', '-c', await config('https-proxy-skopeo.yaml', 'https-proxy-skopeo'), '--engine', 'skopeo', '--no-progress'], { env: behind(secure.url) });
    assert.equal(viaSkopeo.exitCode, 0, viaSkopeo.stderr + viaSkopeo.stdout);
    await assertMirrored('https-proxy-skopeo');
  } finally {
    await secure.close();
  }
});

test('an https:// proxy whose certificate is for another name: said as such, not as a CA to add', async () => {
  const certs = await testCerts();
  const misnamed = await startForwardProxy({ hosts: { [SOURCE]: source.host, [TARGET]: target.host }, tls: certs.servers.wrongName });
  try {
    const file = await config('misnamed-proxy.yaml', 'misnamed-proxy');
    const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: misnamed.url, NODE_EXTRA_CA_CERTS: certs.caFile } });
    assert.equal(run.exitCode, 3, run.stderr + run.stdout);
    assert.match(run.stderr, new RegExp(`^error: ${PROXIED_NAME}:\\d+: the proxy ${misnamed.url} \\(HTTPS_PROXY\\) has a TLS certificate for another name \\(ERR_TLS_CERT_ALTNAME_INVALID; it is for DNS:registry.example.com\\): name the proxy in HTTPS_PROXY as its certificate does`, 'm'));
  } finally {
    await misnamed.close();
  }
});

/** An https:// intercepting proxy whose own certificate, for 127.0.0.1 only, the corporate CA signed. */
async function httpsProxy(): Promise<ForwardProxy> {
  const own = await signCert(await scratchDir('proxy-cert'), corporate, 'proxy', 'IP:127.0.0.1');
  return startForwardProxy({ hosts: { [SOURCE]: source.host, [TARGET]: target.host }, tls: own, intercept: { ca: corporate, upstreamCa: (await testCerts()).caFile } });
}
