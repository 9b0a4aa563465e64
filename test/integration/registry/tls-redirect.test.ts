// A registry that answers blob GETs with a 307 to another origin serving TLS from a private CA
// (what `regmirror serve` does toward its backends): the redirect target's own entry under
// registries: (its caFile) is what regmirror trusts it by, as the certificate error advises.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { startFaultProxy, type FaultProxy, type Personality } from '../../harness/fault-proxy.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

let backend: RunningRegistry;
let dst: RunningRegistry;
let front: FaultProxy;
let dir: string;
let images: SeededImage[];
const redirected: string[] = [];

// Every blob GET goes to the backend's own https:// URL (the backend serves blobs anonymously).
const toBackend: Personality = (ex) => {
  if (ex.method !== 'GET' || !/\/blobs\/sha256:/.test(ex.path)) return false;
  redirected.push(ex.path);
  ex.req.resume();
  ex.entry.status = 307;
  ex.res.writeHead(307, { location: `${ex.upstream.origin}${ex.path}`, 'content-length': '0' }).end();
  return true;
};

before(async () => {
  [backend, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  // The front is plain HTTP on loopback (like the gateway); it reads the backend over TLS.
  front = await startFaultProxy(backend.url, { upstreamCa: backend.caFile, personalities: [toBackend] });
  images = await seedImage({ url: backend.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 });
  dir = await scratchDir('tls-redirect');
});

after(async () => {
  await front?.close();
  await Promise.all([backend, dst].map((r) => r && destroyRegistry(r)));
  await rm(dir, { recursive: true, force: true });
});

const config = (name: string, listed: { host: string; caFile?: string }[]) => writeConfig(join(dir, name), `version: 1
defaults:
  targets: [${dst.host}/${name}]
${registriesYaml(listed)}images:
  - source: ${front.host}/jetstack/app
`);

test('a 307 to a TLS origin listed under registries: is trusted through that entry\'s caFile', { timeout: 180_000 }, async () => {
  const run = await runCli(['sync', '-c', await config('listed', [dst, backend]), '--no-progress']);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(redirected.length > 0, 'no blob was redirected: the test proves nothing');
  for (const image of images) assert.equal(await skopeoDigestVerified(`${dst.host}/listed/app:${image.tag}`, dst.certDir!), image.digest);
});

test('without that entry the redirect target is untrusted: one line naming it and the caFile remedy', { timeout: 180_000 }, async () => {
  const run = await runCli(['sync', '-c', await config('unlisted', [dst]), '--no-progress']);
  assert.notEqual(run.exitCode, 0, run.stderr + run.stdout);
  assert.match(run.stderr, new RegExp(`${backend.host}: its TLS certificate is not trusted .*caFile\` under registries: ${backend.host}`));
});
