// Behind a forward proxy (HTTPS_PROXY / NO_PROXY, as skopeo honours them): registries addressed
// by a name only the test proxy knows (registry.proxy.test, mapped to real TLS registries on
// loopback) are mirrored and verified through it, HTTP/2 inside the tunnel; NO_PROXY sends a host
// direct; a refusing or dead proxy is one line naming it (never its password); loopback registries
// never go through a proxy; and engine: skopeo takes the same way out.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoCopyAll, skopeoDigestVerified, skopeoRawManifest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { startForwardProxy, PROXIED_NAME, type ForwardProxy } from '../../harness/forward-proxy.js';
import { heldReads } from '../../harness/personalities/held-reads.js';
import { startFaultProxy, type FaultProxy, type Personality } from '../../harness/fault-proxy.js';
import { testCerts } from '../../harness/tls.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { startGateway, until } from '../serve/gateway-process.js';

const SOURCE = `${PROXIED_NAME}:443`;
const TARGET = `${PROXIED_NAME}:8443`;

let source: RunningRegistry;
let target: RunningRegistry;
let h2: FaultProxy;
let proxy: ForwardProxy;
let dir: string;
let image: SeededImage;
const versions = new Set<string>();

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('proxy');
  [image] = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 }) as [SeededImage];
  // The source answers through an HTTP/2 server, which notes the protocol each request came in.
  const seen: Personality = (ex) => { versions.add(ex.req.httpVersion); return false; };
  h2 = await startFaultProxy(source.url, { tls: { ...(await testCerts()).servers.good, http2: true }, upstreamCa: source.caFile, personalities: [seen] });
  proxy = await startForwardProxy({ hosts: { [SOURCE]: new URL(h2.url).host, [TARGET]: target.host } });
});

after(async () => {
  await proxy?.close();
  await h2?.close();
  await Promise.all([source && destroyRegistry(source), target && destroyRegistry(target)]);
});

/** A mirrors.yaml mirroring `source`/jetstack/app to `targetNs`, with these registries: entries. */
const mirrors = (name: string, source: string, targetNs: string, registries: string) => writeConfig(join(dir, name), `version: 1
defaults:
  targets: [${targetNs}]
${registries}images:
  - source: ${source}/jetstack/app
`);

/** From registry.proxy.test to registry.proxy.test:8443/`ns`, both trusted by the test CA. */
const config = (name: string, ns: string) => mirrors(name, PROXIED_NAME, `${TARGET}/${ns}`,
  registriesYaml([[{ host: PROXIED_NAME, caFile: source.caFile }, { maxAttempts: 3 }], [{ host: TARGET, caFile: target.caFile }, { maxAttempts: 3 }]]));

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error: '));

/** Every digest of the mirrored image, judged by skopeo on the target's real loopback address. */
async function assertMirrored(ns: string): Promise<void> {
  assert.equal(await skopeoDigestVerified(`${target.host}/${ns}/app:v1.0.0`, target.certDir!), image.digest);
  await skopeoCopyAll(`${target.host}/${ns}/app:v1.0.0`, `dir:${join(dir, `${ns}-copy`)}`);
}

test('sync and verify through HTTPS_PROXY: both registries tunnelled, HTTP/2 inside the tunnel, -v says so once per host', async () => {
  const file = await config('native.yaml', 'mirror');
  versions.clear();
  const run = await runCli(['sync', '-c', file, '-v', '--no-progress'], { env: { HTTPS_PROXY: proxy.url } });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok((proxy.carried.get(SOURCE) ?? 0) > 0 && (proxy.carried.get(TARGET) ?? 0) > 0, `tunnels: ${[...proxy.carried]}`);
  assert.deepEqual([...versions], ['2.0'], 'the source was spoken to over HTTP/2 through the tunnel');
  for (const host of [PROXIED_NAME, TARGET]) {
    const said = run.stderr.split('\n').filter((l) => l.includes(`${host}: through the proxy ${proxy.url} (HTTPS_PROXY)`));
    assert.equal(said.length, 1, run.stderr);
  }
  await assertMirrored('mirror');
  const verify = await runCli(['verify', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: proxy.url } });
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
});

test('NO_PROXY exempts a host (here by name and port): it goes direct, where the name does not resolve; the other port still through the proxy', async () => {
  const file = await config('no-proxy.yaml', 'exempt');
  const before = proxy.carried.get(SOURCE) ?? 0;
  const run = await runCli(['sync', '-c', file, '-v', '--no-progress'], { env: { HTTPS_PROXY: proxy.url, NO_PROXY: `localhost,.example.com,${PROXIED_NAME}:443` } });
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  assert.equal(proxy.carried.get(SOURCE) ?? 0, before, 'nothing for the exempt host went through the proxy');
  assert.match(run.stderr, new RegExp(`debug: ${PROXIED_NAME}: direct, not through the proxy ${proxy.url} \\(HTTPS_PROXY\\) \\(NO_PROXY`));
  assert.match(run.stderr, new RegExp(`debug: ${TARGET}: through the proxy ${proxy.url}`));
  assert.match(run.stdout, new RegExp(`${PROXIED_NAME} unreachable: GET https://${PROXIED_NAME}/v2/.*no such host name \\(ENOTFOUND\\)`));
  // Only the proxy knows the name: the line says NO_PROXY sent it direct.
  assert.ok(run.stdout.includes(`no such host name (ENOTFOUND); it went direct, as NO_PROXY exempts it from the proxy ${proxy.url} (HTTPS_PROXY): take it out of NO_PROXY if only the proxy reaches it`), run.stdout);
});

test('wrong proxy credentials (407): one line naming the proxy and the host, never the password, no retry storm', async () => {
  const strict = await startForwardProxy({ hosts: { [SOURCE]: new URL(h2.url).host, [TARGET]: target.host }, credentials: 'ci:right-pass' });
  try {
    const file = await config('auth.yaml', 'auth');
    const port = new URL(strict.url).port;
    const wrong = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: `http://ci:wr0ng-Pa55@127.0.0.1:${port}` } });
    assert.equal(wrong.exitCode, 3, wrong.stderr + wrong.stdout);
    assert.doesNotMatch(wrong.stderr + wrong.stdout, /wr0ng-Pa55/);
    const said = errorLines(wrong.stderr);
    // The source's and the target's tag lists go out together: either refusal may be said first.
    const sourceLine = said.find((line) => line.includes(`${SOURCE}: the proxy`));
    assert.ok(sourceLine, wrong.stderr);
    assert.match(sourceLine, new RegExp(`${SOURCE}: the proxy http://127.0.0.1:${port} \\(HTTPS_PROXY\\) refused the credentials in HTTPS_PROXY \\(407 Proxy Authentication Required\\): check the user and password there`));
    assert.ok(strict.refused.length <= 3, `asked the proxy ${strict.refused.length} times: ${strict.refused.join(', ')}`);
    const none = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: strict.url } });
    assert.equal(none.exitCode, 3, none.stderr + none.stdout);
    assert.match(errorLines(none.stderr)[0] ?? '', /asks for credentials \(407 Proxy Authentication Required\): put USER:PASSWORD@ before 127\.0\.0\.1:\d+ in HTTPS_PROXY/);
    const right = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: `http://ci:right-pass@127.0.0.1:${port}` } });
    assert.equal(right.exitCode, 0, right.stderr + right.stdout);
    await assertMirrored('auth');
  } finally {
    await strict.close();
  }
});

test('an https:// proxy (its CA in NODE_EXTRA_CA_CERTS) tunnels the same; one that refuses a host (403) says so; http:// and https:// mixed up are said as such', async () => {
  const certs = await testCerts();
  const secure = await startForwardProxy({ hosts: { [SOURCE]: new URL(h2.url).host, [TARGET]: target.host }, tls: certs.servers.good, deny: [TARGET] });
  try {
    const file = await config('https-proxy.yaml', 'https-proxy');
    const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: secure.url, NODE_EXTRA_CA_CERTS: certs.caFile } });
    assert.equal(run.exitCode, 3, run.stderr + run.stdout);
    assert.ok((secure.carried.get(SOURCE) ?? 0) > 0, 'the source was read through the https:// proxy');
    assert.match(errorLines(run.stderr)[0] ?? '', new RegExp(`^error: ${TARGET}: the proxy ${secure.url} \\(HTTPS_PROXY\\) refused to tunnel to it \\(403 Forbidden\\): ask the proxy's operators to allow it`));
    const untrusted = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: secure.url } });
    assert.equal(untrusted.exitCode, 3, untrusted.stderr + untrusted.stdout);
    assert.match(errorLines(untrusted.stderr)[0] ?? '', /the proxy https:\/\/127\.0\.0\.1:\d+ \(HTTPS_PROXY\) has a TLS certificate that is not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\): add its CA to this machine's store \(update-ca-certificates, SSL_CERT_FILE\) or NODE_EXTRA_CA_CERTS/);
    // The scheme mixed up, either way: said as such, not as an unreachable proxy.
    const asHttp = secure.url.replace('https:', 'http:');
    const plainText = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: asHttp } });
    assert.equal(plainText.exitCode, 3, plainText.stderr + plainText.stdout);
    assert.match(errorLines(plainText.stderr)[0] ?? '', new RegExp(`the proxy ${asHttp} \\(HTTPS_PROXY\\) closed the connection without answering \\(ECONNRESET\\): check that HTTPS_PROXY names a forward proxy \\(https:// if it speaks only TLS\\)`));
    const asHttps = proxy.url.replace('http:', 'https:');
    const handshake = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: asHttps } });
    assert.equal(handshake.exitCode, 3, handshake.stderr + handshake.stdout);
    assert.match(errorLines(handshake.stderr)[0] ?? '', new RegExp(`the proxy ${asHttps} \\(HTTPS_PROXY\\) does not speak TLS \\(EPROTO\\): write http:// in HTTPS_PROXY if it is a plain-HTTP proxy`));
  } finally {
    await secure.close();
  }
});

test('a proxy that opens the tunnel and then answers with its own page (sign-on, block page): the line names the proxy, not the registry', async () => {
  const portal = await startForwardProxy({ hosts: { [SOURCE]: new URL(h2.url).host, [TARGET]: target.host }, pageInTunnel: [SOURCE] });
  try {
    const file = await config('portal.yaml', 'portal');
    const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: portal.url } });
    assert.equal(run.exitCode, 3, run.stderr + run.stdout);
    const said = errorLines(run.stderr);
    assert.equal(said.length, 1, run.stderr);
    assert.match(said[0]!, new RegExp(`^error: ${SOURCE}: the proxy ${portal.url} \\(HTTPS_PROXY\\) opened the tunnel, but what came back through it is not TLS`));
    assert.match(said[0]!, new RegExp(`let CONNECT to ${SOURCE} through untouched, or exempt ${PROXIED_NAME} in NO_PROXY`));
    assert.doesNotMatch(run.stderr, /tls: disabled/, 'the registry speaks TLS: it is the proxy that does not');
    assert.ok((portal.carried.get(SOURCE) ?? 0) <= 2, `tunnels opened to the source: ${portal.carried.get(SOURCE)} (believed at once, not retried)`);
  } finally {
    await portal.close();
  }
});

test('a proxy that is not there: one line naming it and the host, exit 3', async () => {
  const file = await config('dead.yaml', 'dead');
  const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: 'http://127.0.0.1:9' } });
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  // Asked again as a reset is (retry.ts), then said once per host; which host comes first is the race's.
  assert.match(run.stderr, new RegExp(`^error: ${SOURCE}: the proxy http://127.0.0.1:9 \\(HTTPS_PROXY\\) is unreachable \\(ECONNREFUSED\\): check HTTPS_PROXY, or exempt ${PROXIED_NAME} in NO_PROXY`, 'm'));
  // A plain-http registry's requests are forwarded (no CONNECT): the dead proxy is the proxy's fault there too, not the registry's.
  const plain = await mirrors('dead-plain.yaml', `${PROXIED_NAME}:5000`, `${TARGET}/dead`, registriesYaml([[{ host: `${PROXIED_NAME}:5000` }, { tls: 'disabled' }]]));
  const forwarded = await runCli(['sync', '-c', plain, '-v', '--no-progress'], { env: { HTTP_PROXY: 'http://127.0.0.1:9' } });
  assert.equal(forwarded.exitCode, 3, forwarded.stderr + forwarded.stdout);
  assert.match(errorLines(forwarded.stderr)[0] ?? '', new RegExp(`^error: ${PROXIED_NAME}:5000: the proxy http://127.0.0.1:9 \\(HTTP_PROXY\\) is unreachable \\(ECONNREFUSED\\): check HTTP_PROXY`));
});

test('a proxy that resets its first connections (restarting, failing over) or answers CONNECT 502: retried as a registry\'s reset or 502 is, and the sync finishes', async () => {
  const flaky = await startForwardProxy({ hosts: { [SOURCE]: new URL(h2.url).host, [TARGET]: target.host }, resetFirst: 2, badGatewayFirst: 2 });
  try {
    // Four failed connections in all, which one request may meet every one of (which request
    // opens which connection is the machine's timing): 5 attempts always reach the fifth.
    const file = await mirrors('flaky.yaml', PROXIED_NAME, `${TARGET}/flaky`,
      registriesYaml([[{ host: PROXIED_NAME, caFile: source.caFile }, { maxAttempts: 5 }], [{ host: TARGET, caFile: target.caFile }, { maxAttempts: 5 }]]));
    const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: flaky.url } });
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.equal(flaky.reset, 2);
    assert.deepEqual(flaky.refused.map((r) => r.split(' ')[0]), ['502', '502'], 'two CONNECTs answered 502, then carried');
    await assertMirrored('flaky');
  } finally {
    await flaky.close();
  }
});

test('a proxy restarting mid-sync (it stops taking connections for 4 s): connections wait for it to come back, and the sync finishes', { timeout: 120_000 }, async () => {
  const tags = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
  const images = await seedImage({ url: source.url }, { repository: 'restart/app', tags, format: 'oci', platforms: 1, layerBytes: 512 * 1024 });
  // The first blob read is held until the proxy has gone: the sync is mid-way when it goes.
  const { personality: hold, reading, release } = heldReads('restart/app');
  const slow = await startFaultProxy(source.url, { tls: (await testCerts()).servers.good, upstreamCa: source.caFile, personalities: [hold] });
  const hosts = { [SOURCE]: new URL(slow.url).host, [TARGET]: target.host };
  const first = await startForwardProxy({ hosts });
  let second: ForwardProxy | undefined;
  try {
    const file = await writeConfig(join(dir, 'restart'), `version: 1
defaults:
  targets: [${TARGET}/restart]
${registriesYaml([{ host: PROXIED_NAME, caFile: source.caFile }, { host: TARGET, caFile: target.caFile }])}images:
  - source: ${PROXIED_NAME}/restart/app
`);
    const run = runCli(['sync', '-c', file, '--progress-interval', '1'], { env: { HTTPS_PROXY: first.url, CI: 'true' } });
    await reading;
    await first.close();
    release();
    await new Promise((resolve) => setTimeout(resolve, 4000));
    second = await startForwardProxy({ hosts, port: Number(new URL(first.url).port) });
    const result = await run;
    assert.equal(result.exitCode, 0, result.stderr + result.stdout);
    assert.ok((second.carried.get(SOURCE) ?? 0) + (second.carried.get(TARGET) ?? 0) > 0, 'the sync went on through the restarted proxy');
    // Said without -v, once: it was a -v line alone.
    const said = result.stderr.split('\n').filter((l) => l.includes('stopped taking connections'));
    assert.deepEqual(said, [`the proxy ${first.url} (HTTPS_PROXY) stopped taking connections after carrying earlier ones: connections through it wait up to 30 s for it to come back (a restart)`], result.stderr);
    // The progress line names the proxy the run waits on, where it read 'no answer from registry.proxy.test:8443 for 3 s'.
    const proxy = first.url.replace(/\./g, '\\.');
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('synced '));
    // Both registries wait on the proxy; the line names the one whose requests waited longest:
    // the target (:8443) or the source (:443, which a URL writes without its port).
    assert.ok(lines.some((l) => new RegExp(`· the proxy ${proxy} \\(HTTPS_PROXY\\) refuses connections: waiting up to 30 s for it to come back \\(\\d+ s so far, \\d+ requests? to ${PROXIED_NAME.replace(/\./g, '\\.')}(?::8443)?\\)$`).test(l)), JSON.stringify(lines));
    for (const one of images) assert.equal(await skopeoDigestVerified(`${target.host}/restart/app:${one.tag}`, target.certDir!), one.digest);
  } finally {
    await second?.close();
    await slow.close();
  }
});

test('SIGINT while connections wait for a proxy that went away mid-sync: the run stops at once, not after the 30 s wait', { timeout: 120_000 }, async () => {
  await seedImage({ url: source.url }, { repository: 'gone/app', tags: ['g1', 'g2'], format: 'oci', platforms: 1 });
  let arrived!: () => void;
  const reading = new Promise<void>((resolve) => { arrived = resolve; });
  const hold: Personality = (ex) => {
    if (ex.method === 'GET' && ex.path.includes('/gone/app/blobs/')) arrived();
    return false;
  };
  const slow = await startFaultProxy(source.url, { tls: (await testCerts()).servers.good, upstreamCa: source.caFile, personalities: [hold] });
  const doomed = await startForwardProxy({ hosts: { [SOURCE]: new URL(slow.url).host, [TARGET]: target.host } });
  try {
    const file = await writeConfig(join(dir, 'gone'), `version: 1
defaults:
  targets: [${TARGET}/gone]
${registriesYaml([{ host: PROXIED_NAME, caFile: source.caFile }, { host: TARGET, caFile: target.caFile }])}images:
  - source: ${PROXIED_NAME}/gone/app
`);
    // The proxy goes for good once the sync reads a blob; SIGINT 2 s later, while its connections wait.
    let signalled = 0;
    const interrupt = reading.then(() => doomed.close()).then(() => new Promise((resolve) => setTimeout(resolve, 2000))).then(() => { signalled = Date.now(); });
    const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: doomed.url }, signalWhen: { signal: 'SIGINT', when: interrupt } });
    await interrupt;
    assert.equal(run.exitCode, 130, run.stderr + run.stdout);
    // Measured from the signal, not the start (a slow machine's start-up is no part of it): the
    // code before waited out the rest of the 30 s (about 28 s after the signal).
    assert.ok(Date.now() - signalled < 15_000, `the run ended ${Date.now() - signalled} ms after SIGINT`);
  } finally {
    await slow.close();
  }
});

test('loopback registries never go through a proxy, even a dead one', async () => {
  const file = await mirrors('loopback.yaml', source.host, `${target.host}/loopback`, registriesYaml([source, target]));
  const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9' } });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  await assertMirrored('loopback');
});

test('a plain-http registry goes through HTTP_PROXY as absolute-URI requests (the proxy allows CONNECT to 443 only, as squid does); its 407 is the same line', async () => {
  const plain = await startRegistry();
  const squid = await startForwardProxy({ hosts: { [`${PROXIED_NAME}:5000`]: plain.host, [TARGET]: target.host }, connectPorts: ['443', '8443'], credentials: 'ci:right-pass' });
  try {
    await seedImage({ url: plain.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 });
    const file = await mirrors('plain.yaml', `${PROXIED_NAME}:5000`, `${TARGET}/plain`, registriesYaml([[{ host: `${PROXIED_NAME}:5000` }, { tls: 'disabled' }], { host: TARGET, caFile: target.caFile }]));
    const withCredentials = squid.url.replace('//', '//ci:right-pass@');
    const none = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: withCredentials, HTTP_PROXY: squid.url } });
    assert.equal(none.exitCode, 3, none.stderr + none.stdout);
    assert.match(errorLines(none.stderr)[0] ?? '', new RegExp(`^error: ${PROXIED_NAME}:5000: the proxy ${squid.url} \\(HTTP_PROXY\\) asks for credentials \\(407 Proxy Authentication Required\\)`));
    squid.refused.length = 0;
    const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTPS_PROXY: withCredentials, HTTP_PROXY: withCredentials } });
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.deepEqual(squid.refused, [], 'no CONNECT to port 5000');
    assert.ok((squid.carried.get(`${PROXIED_NAME}:5000`) ?? 0) > 0);
    await assertMirrored('plain');
  } finally {
    await squid.close();
    await destroyRegistry(plain);
  }
});

test('publish downloads its release files through the proxy too (a blob of the source registry as the file)', async () => {
  const blob = image.blobDigests[0]!;
  const file = await writeConfig(join(dir, 'publish.yaml'), `version: 1
defaults:
  targets: [${TARGET}/release]
${registriesYaml([{ host: TARGET, caFile: target.caFile }])}binaries:
  - name: layer
    artifactType: application/vnd.regmirror.test.layer.v1
    urls: ["https://${PROXIED_NAME}/v2/jetstack/app/blobs/${blob}"]
`);
  const before = proxy.carried.get(SOURCE) ?? 0;
  const run = await runCli(['publish', '-c', file, '--tag', 'v1.0.0', '--no-progress'], { env: { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: source.caFile! } });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok((proxy.carried.get(SOURCE) ?? 0) > before, 'the download went through the proxy');
  const manifest = JSON.parse((await skopeoRawManifest(`${target.host}/release/layer:v1.0.0`)).toString('utf8')) as { layers: { digest: string }[] };
  assert.deepEqual(manifest.layers.map((l) => l.digest), [blob], 'the file pushed is the blob downloaded, byte for byte');
});

test('publish: a proxy asking for credentials for a plain-http release URL is the same line as for a registry, not only "HTTP 407"', async () => {
  const squid = await startForwardProxy({ hosts: {}, credentials: 'ci:right-pass' });
  try {
    const url = `http://${PROXIED_NAME}:8080/releases/v1.0.0/tool.tar.gz`;
    const file = await writeConfig(join(dir, 'publish-407.yaml'), `version: 1
defaults:
  targets: [${TARGET}/release]
binaries:
  - name: tool
    artifactType: application/vnd.regmirror.test.tool.v1
    urls: ["${url}"]
`);
    const run = await runCli(['publish', '-c', file, '--tag', 'v1.0.0', '--no-progress'], { env: { HTTP_PROXY: squid.url } });
    assert.equal(run.exitCode, 1, run.stderr + run.stdout);
    assert.match(run.stderr, new RegExp(`GET ${url}: ${PROXIED_NAME}:8080: the proxy ${squid.url} \\(HTTP_PROXY\\) asks for credentials \\(407 Proxy Authentication Required\\): put USER:PASSWORD@ before`));
  } finally {
    await squid.close();
  }
});

test('the gateway reaches its backends through the proxy', async () => {
  const file = await config('gateway.yaml', 'mirror');
  await appendFile(file, 'gateway:\n  healthInterval: 1\n');
  const before = proxy.carried.get(TARGET) ?? 0;
  const gw = await startGateway(file, [], { HTTPS_PROXY: proxy.url });
  try {
    const res = await fetch(`${gw.url}/v2/app/manifests/v1.0.0`, { headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, gw.stderr());
    assert.equal(`sha256:${createHash('sha256').update(body).digest('hex')}`, image.digest);
    assert.ok((proxy.carried.get(TARGET) ?? 0) > before, 'the backend was reached through the proxy');
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});

test('the gateway finds its backend again once a proxy that dropped its connection is back (believed down for 30 s, not for the life of the process)', { timeout: 120_000 }, async () => {
  // Every backend on the one host behind the proxy: the image at the target, as its own source.
  await seedImage({ url: target.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 });
  const flaky = await startForwardProxy({ hosts: { [TARGET]: target.host }, resetFirst: 1 });
  const file = await mirrors('gateway-flaky.yaml', TARGET, `${TARGET}/flaky`, registriesYaml([{ host: TARGET, caFile: target.caFile }]));
  await appendFile(file, 'gateway:\n  healthInterval: 1\n');
  const gw = await startGateway(file, [], { HTTPS_PROXY: flaky.url });
  try {
    const manifest = () => fetch(`${gw.url}/v2/app/manifests/v1.0.0`, { headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
    await until(() => flaky.reset === 1, 'the proxy to drop the first connection');
    await until(async () => (await manifest()).status === 200, 'the backend to answer through the proxy again', 90_000);
    assert.ok((flaky.carried.get(TARGET) ?? 0) > 0, 'the backend was reached through the proxy');
  } finally {
    assert.equal(await gw.stop(), 0);
    await flaky.close();
  }
});

test('engine: skopeo goes through the same proxy (it reads HTTPS_PROXY itself) and agrees', async () => {
  const file = await config('skopeo.yaml', 'skopeo');
  const before = proxy.carried.get(TARGET) ?? 0;
  const run = await runCli(['sync', '-c', file, '--engine', 'skopeo', '--no-progress'], { env: { HTTPS_PROXY: proxy.url } });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok((proxy.carried.get(TARGET) ?? 0) > before, 'skopeo tunnelled to the target through the proxy');
  await assertMirrored('skopeo');
});
