// A real nginx with a small large_client_header_buffers in front of a token-auth registry: the
// Authorization header (a token for one repository: issue 9 already keeps it that small) does not
// fit, and nginx answers 400 "Request Header Or Cookie Too Large" (HTML; over HTTP/2 it ends the
// connection first, GOAWAY ENHANCE_YOUR_CALM). Only the front's limit can change: the line says so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { startNginx, type RunningNginx } from '../../harness/nginx.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';
import { adminPush } from '../reliability/helpers.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let nSrc: RunningNginx;
let wider: RunningNginx;
let dir: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ auth: 'token' }), startRegistry()]);
  [nSrc, wider] = await Promise.all([startNginx(src, { server: { large_client_header_buffers: '4 1k' } }), startNginx(src, { server: { large_client_header_buffers: '4 2k' } })]);
  await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true });
  dir = await scratchDir('nginx-header-limit');
});

after(async () => {
  await Promise.all([nSrc?.close(), wider?.close()]);
  await Promise.all([src && destroyRegistry(src), dst && destroyRegistry(dst)]);
});

test('a token larger than nginx large_client_header_buffers: the line names the registry, what nginx answered and the limit to raise', async () => {
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [127.0.0.1:1/mirror]
${registriesYaml([[nSrc, { credentials: '{ usernameEnv: U, passwordEnv: P }' }]])}images:
  - source: ${nSrc.host}/jetstack/app
`);
  const run = await runCli(['verify', '-c', config], { env: { U: 'admin', P: src.users.admin! } });
  const output = run.stderr + run.stdout;
  assert.equal(run.exitCode, 3, output);
  assert.match(output, new RegExp(`GET https://${nSrc.host}/v2/jetstack/app/tags/list: 400 Bad Request, an HTML page titled "400 Request Header Or Cookie Too Large"`));
  assert.match(output, /larger than that front end allows.*large_client_header_buffers/);
  assert.doesNotMatch(output, /\n\s+at /);
});

test('engine: skopeo, whose requests outgrow a limit that regmirror\'s own fit (4 2k): its line says what refused them and what to do', async () => {
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/mirror]
  engine: skopeo
${registriesYaml([[wider, { credentials: '{ usernameEnv: U, passwordEnv: P }' }], dst])}images:
  - source: ${wider.host}/jetstack/app
`, 'skopeo.yaml');
  const env = { U: 'admin', P: src.users.admin! };
  const run = await runCli(['sync', '-c', config], { env });
  const output = run.stderr + run.stdout;
  assert.equal(run.exitCode, 1, output);
  assert.match(output, /Request Header Or Cookie/);
  assert.match(output, /refused skopeo's request headers as too large.*large_client_header_buffers/);
  // The native engine passes the same front end.
  const native = await runCli(['sync', '-c', await writeConfig(dir, (await readFile(config, 'utf8')).replace('  engine: skopeo\n', ''), 'native.yaml')], { env });
  assert.equal(native.exitCode, 0, native.stderr + native.stdout);
});
