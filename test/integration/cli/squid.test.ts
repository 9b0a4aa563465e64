// Behind a real squid (Debian's package, its default ACLs, basic_ncsa_auth): a plain-http registry
// goes through HTTP_PROXY as forwarded requests and a token-auth TLS registry through a CONNECT
// tunnel to a port squid allows, with percent-encoded proxy credentials that nothing prints;
// a registry on a port squid does not tunnel to, and one that is down behind it, are each one line
// naming the proxy and what to do; squid's request_body_max_size (its 413 page) is met by chunks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoCopyAll, skopeoDigest, skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { PROXIED_NAME } from '../../harness/forward-proxy.js';
import { reservePort } from '../../harness/ports.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { startSquid, type RunningSquid } from '../../harness/squid.js';

const PASSWORD = 'p@ss w/rd%';

let plain: RunningRegistry;
let tls: RunningRegistry;
let target: RunningRegistry;
let squid: RunningSquid;
let dir: string;
let images: SeededImage[];
let proxyUrl: string;

/** A registry's name as squid knows it (its hosts_file), with the registry's own port. */
const named = (reg: RunningRegistry) => `${PROXIED_NAME}:${new URL(reg.url).port}`;

before(async () => {
  [plain, tls, target] = await Promise.all([startRegistry(), startRegistry({ tls: true }), startRegistry({ tls: true, auth: 'token' })]);
  dir = await scratchDir('squid-cli');
  images = await seedImage({ url: plain.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 2 });
  await seedImage({ url: tls.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 1 });
  // The target's port is opened for CONNECT, as an admin would; the other TLS registry's is not.
  squid = await startSquid({ credentials: `ci:${PASSWORD}`, sslPorts: [Number(new URL(target.url).port)] });
  proxyUrl = squid.url.replace('//', `//ci:${encodeURIComponent(PASSWORD)}@`);
});

after(async () => {
  await squid?.close();
  await Promise.all([plain, tls, target].map((r) => r && destroyRegistry(r)));
});

/** A mirrors.yaml from `source` (a plain-http registry by its proxied name, or the TLS one) to the target's namespace `ns`. */
const config = (name: string, source: string | RunningRegistry, ns: string) => writeConfig(join(dir, name), `version: 1
defaults:
  targets: [${named(target)}/${ns}]
${registriesYaml([typeof source === 'string' ? [{ host: source }, { tls: 'disabled' }] : { host: named(source), caFile: source.caFile }, [{ host: named(target), caFile: target.caFile }, { credentials: '{ usernameEnv: DST_USER, passwordEnv: DST_PASS }' }]])}images:
  - source: ${typeof source === 'string' ? source : named(source)}/jetstack/app
`);

const env = () => ({ HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl, DST_USER: 'admin', DST_PASS: target.users.admin });
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error: '));

test('sync and verify through squid: the plain-http source forwarded, the token-auth target tunnelled, no credential printed; engine: skopeo too', async () => {
  const file = await config('through.yaml', named(plain), 'mirror');
  const run = await runCli(['sync', '-c', file, '-v', '--no-progress'], { env: env() });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  const verify = await runCli(['verify', '-c', file, '-v', '--no-progress'], { env: env() });
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
  const skopeo = await runCli(['sync', '-c', await config('skopeo.yaml', named(plain), 'skopeo'), '--engine', 'skopeo', '--no-progress'], { env: env() });
  assert.equal(skopeo.exitCode, 0, skopeo.stderr + skopeo.stdout);
  for (const out of [run, verify, skopeo].flatMap((r) => [r.stdout, r.stderr])) assert.ok(!out.includes('p@ss') && !out.includes('p%40ss'), out);
  const seen = await squid.requests();
  assert.ok(seen.some((r) => r.method === 'GET' && r.url.startsWith(`http://${named(plain)}/v2/`) && r.status === 200), 'the plain-http source was forwarded');
  assert.ok(seen.some((r) => r.method === 'CONNECT' && r.url === named(target) && r.status === 200), 'the target was tunnelled');
  for (const ns of ['mirror', 'skopeo']) {
    for (const image of images) assert.equal(await skopeoDigestVerified(`${target.host}/${ns}/app:${image.tag}`, target.certDir!, { creds: `admin:${target.users.admin}` }), image.digest);
  }
});

test('a registry on a port squid does not tunnel to (CONNECT !SSL_ports, 403): one line naming the port to allow, asked once', async () => {
  const file = await config('port.yaml', tls, 'port');
  const before = (await squid.requests()).length;
  const run = await runCli(['verify', '-c', file, '--no-progress'], { env: env() });
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  const said = errorLines(run.stderr);
  assert.equal(said.length, 1, run.stderr);
  const port = new URL(tls.url).port;
  assert.equal(said[0], `error: ${named(tls)}: the proxy ${squid.url} (HTTPS_PROXY) refused to tunnel to it (403 Forbidden, ERR_ACCESS_DENIED): ask the proxy's operators to allow it and CONNECT to its port ${port} (many proxies tunnel to 443 only, as squid's default SSL_ports does), or exempt ${PROXIED_NAME} in NO_PROXY if it is reached without the proxy`);
  const connects = (await squid.requests()).slice(before).filter((r) => r.url === named(tls));
  assert.equal(connects.length, 1, `CONNECTs to the refused port: ${connects.length}`);
});

test('a plain-http registry down behind squid: its 503 page (ERR_CONNECT_FAIL) is the proxy\'s line, not the registry\'s', async () => {
  const down = `${PROXIED_NAME}:${await reservePort()}`;
  const file = await config('down.yaml', down, 'down');
  const run = await runCli(['verify', '-c', file, '--no-progress'], { env: env() });
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  const said = errorLines(run.stderr);
  assert.equal(said.length, 1, run.stderr);
  assert.match(said[0]!, new RegExp(`^error: ${down}: the proxy ${squid.url} \\(HTTP_PROXY\\) could not reach it \\(503 Service Unavailable, ERR_CONNECT_FAIL\\): check the name and port, or exempt ${PROXIED_NAME} in NO_PROXY`));
});

test('squid\'s request_body_max_size (1 MB): its 413 page to a 3 MiB blob\'s PUT is the upload\'s to adapt to (chunks), not a refusal', async () => {
  // Another registry as the target: within one, the blob would be mounted, not uploaded.
  const [small, other] = await Promise.all([startSquid({ directives: ['request_body_max_size 1 MB'] }), startRegistry()]);
  try {
    const [big] = await seedImage({ url: plain.url }, { repository: 'big/app', tags: ['v1'], format: 'oci', platforms: 1, layerBytes: 3 * 1024 * 1024 }) as [SeededImage];
    const file = await writeConfig(join(dir, 'big.yaml'), `version: 1
defaults:
  targets: [${named(other)}/copy]
${registriesYaml([[{ host: named(plain) }, { tls: 'disabled' }], [{ host: named(other) }, { tls: 'disabled' }]])}images:
  - source: ${named(plain)}/big/app
`);
    const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { HTTP_PROXY: small.url } });
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.ok((await small.requests()).some((r) => r.status === 413), 'squid refused a body as too large');
    assert.equal(await skopeoDigest(`${other.host}/copy/app:v1`), big.digest);
    await skopeoCopyAll(`${other.host}/copy/app:v1`, `dir:${join(dir, 'big-copy')}`);
  } finally {
    await small.close();
    await destroyRegistry(other);
  }
});
