// engine: skopeo behind a proxy that answers 1 request in 10 with an HTML 502 (issue 9: "as
// reliable as the native engine under the same load"). skopeo 1.9 retries no 5xx of its own
// (--retry-times covers connection errors and registry error codes, not a gateway's page), a copy
// of a 3-platform index makes ~45 requests to the target and a re-run still ~14 with every blob
// there, so re-running the whole copy failed every tag (6 of 6, exit 1) where native exits 0. The
// engine now copies such an index in pieces (each platform by digest, then the index alone), the
// budget given back whenever a piece lands; a target that answers 502 to everything still fails
// after maxAttempts runs of a copy with one line naming it.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, writeConfig } from '../../harness/cli.js';
import type { Exchange, FaultProxy } from '../../harness/fault-proxy.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { sha256 } from '../../../src/types/digest.js';
import { scratchDir } from '../../harness/scratch.js';

const TAGS = ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0'];
const PAGE = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n';

let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let dir: string;
let images: SeededImage[];
// Every `every`-th request through the proxy gets the gateway's page; with `skopeoOnly`, only
// skopeo's (User-Agent skopeo/…), so that regmirror's plan still reads the target.
let every = 10;
let skopeoOnly = false;
let seen = 0;

// What nginx sends when its upstream fails: a 502 with an HTML body, not a registry error.
function gateway(ex: Exchange): boolean {
  if (skopeoOnly && !/^skopeo\//.test(ex.req.headers['user-agent'] ?? '')) return false;
  if (++seen % every !== 0) return false;
  ex.req.resume();
  ex.req.once('end', () => {
    ex.entry.status = 502;
    ex.res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(PAGE) }).end(PAGE);
  });
  return true;
}

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  proxy = await proxyFor(target, { personalities: [gateway] });
  dir = await scratchDir('skopeo-flaky-proxy');
  images = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: TAGS, format: 'oci', platforms: 3, sharedBaseBytes: 64 * 1024, baseSeed: 'base' });
});
after(async () => {
  await proxy.close();
  await Promise.all([destroyRegistry(source), destroyRegistry(target)]);
  await rm(dir, { recursive: true, force: true });
});

const config = (name: string, namespace: string) => writeConfig(join(dir, name), `version: 1
defaults:
  targets: [${proxy.host}/${namespace}]
  engine: skopeo
${registriesYaml([source, { host: proxy.host, caFile: target.caFile }])}images:
  - source: ${source.host}/jetstack/app
`);

it('1 request in 10 answered 502 with an HTML page: every tag lands, each at its digest as skopeo reads it behind no proxy', { timeout: 240_000 }, async () => {
  every = 10;
  proxy.resetStats();
  const run = await runCli(['sync', '-c', await config('flaky', 'mirror'), '--no-progress', '-v'], { timeoutMs: 200_000 });
  assert.ok(proxy.stats.log.filter((e) => e.status === 502).length >= 10, 'the proxy answered 502 all along');
  assert.equal(run.exitCode, 0, run.stderr.split('\n').filter((l) => /failed/.test(l)).join('\n'));
  for (const image of images) {
    assert.equal(sha256(await skopeoRawManifest(`${target.host}/mirror/app:${image.tag}`)), image.digest, image.tag);
  }
});

it('a proxy that answers 502 to every request skopeo makes: exit 1 within maxAttempts runs of each copy, one line per tag naming the target', { timeout: 240_000 }, async () => {
  every = 1;
  skopeoOnly = true;
  const run = await runCli(['sync', '-c', await config('down', 'down'), '--no-progress', '-v'], { timeoutMs: 200_000 });
  assert.equal(run.exitCode, 1, run.stderr);
  const reruns = run.stderr.split('\n').filter((l) => /running the copy again/.test(l)).length;
  assert.ok(reruns <= TAGS.length * 4, `${reruns} re-runs for ${TAGS.length} tags (maxAttempts 5: at most 4 each)`);
  const failed = run.stderr.split('\n').filter((l) => /: failed — /.test(l));
  assert.equal(failed.length, TAGS.length, run.stderr);
  // The line says how often skopeo ran the copy, as the native client's say how often they asked.
  assert.match(failed[0]!, new RegExp(`destination ${proxy.host.replace(/\./g, '\\.')}/down/app: skopeo: .*502 \\(?Bad Gateway.* \\(tried 5 times\\)$`));
});
