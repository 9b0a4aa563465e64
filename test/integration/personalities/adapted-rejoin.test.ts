// A large layer synced to two registries, one of which refuses the first way of uploading (a real
// nginx's 413 to a whole PUT over its client_max_body_size, as in front of ghcr.io's 4 MiB or a
// self-hosted registry): that upload starts again under what its registry's policy learned, on
// the read under way, so the source sends the layer once. Before, the adapted upload waited for
// the other to finish the read and read the layer again (bigblobs hunt: a 1 GiB layer to ghcr
// and ECR personalities behind nginx, 2 GiB read at the source).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { startNginx, type RunningNginx } from '../../harness/nginx.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { digestDifferences } from '../reliability/helpers.js';
import { MiB, open, seedLarge } from './fixtures.js';

const SIZE = 48 * MiB;
let src: RunningRegistry;
let open1: RunningRegistry;
let limited: RunningRegistry; // plain HTTP behind nginx, as distribution's recipe has it
let nginx: RunningNginx;
let pSrc: FaultProxy;

before(async () => {
  [src, open1, limited] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true }), startRegistry()]);
  nginx = await startNginx(limited, { server: { client_max_body_size: '4m' }, location: { proxy_request_buffering: 'off' } });
  pSrc = await proxyFor(src); // counts the bytes the source sends
  await seedLarge(open(src), 'jetstack/big', ['v1.0.0'], SIZE);
});

after(async () => {
  await Promise.all([pSrc?.close(), nginx?.close()]);
  await Promise.all([src, open1, limited].map((r) => r && destroyRegistry(r)));
});

test('uploads that adapt to their registry join the read under way: the layer is read once', { timeout: 300_000 }, async () => {
  const config = await writeConfig(await scratchDir('adapted-rejoin'), `version: 1
defaults:
  targets: [${open1.host}/mirror, ${nginx.host}/mirror]
${registriesYaml([src, open1, nginx])}images:
  - source: ${src.host}/jetstack/big
`);
  const run = await runCli(['sync', '-c', config, '--endpoint', `${src.host}=${pSrc.url}`, '--no-progress', '-v']);
  assert.equal(run.exitCode, 0, run.stderr.split('\n').filter((l) => !/^debug: (GET|HEAD|PUT|POST|PATCH) /.test(l)).join('\n'));
  assert.match(run.stderr, new RegExp(`${nginx.host} refused a monolithic upload \\(413\\): chunked uploads of 4 MiB`));
  const read = pSrc.stats.log.filter((e) => e.method === 'GET' && /\/blobs\/sha256:/.test(e.path)).reduce((n, e) => n + (e.bytes ?? 0), 0);
  assert.ok(read < SIZE + MiB, `the source sent ${read} bytes for a ${SIZE}-byte layer (a second read: ${2 * SIZE})`);
  assert.deepEqual((await digestDifferences(src, 'jetstack/big', [[open1, 'mirror/big'], [limited, 'mirror/big']])).wrong, []);
});
