// A real HAProxy (TLS, HTTP/1.1 as its `bind … ssl crt` offers by default) with a small
// tune.bufsize in front of a token-auth registry: a request whose headers (the Authorization
// header, a token for one repository) do not fit tune.bufsize less tune.maxrewrite gets HAProxy's
// 400 page "Your browser sent an invalid request", which names no header. The line says what
// refused and which limit to raise. With tune.bufsize under 16384 HAProxy cannot speak the HTTP/2
// it offers (every connection closed at once), where its HTTP/1.1 and skopeo pass: the host goes
// over HTTP/1.1 at its first request, which is sent again there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { startHaproxy, type RunningHaproxy } from '../../harness/haproxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';
import { adminPush } from '../reliability/helpers.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let front: RunningHaproxy;
let h2front: RunningHaproxy;
let images: SeededImage[];
let dir: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ auth: 'token' }), startRegistry()]);
  [front, h2front] = await Promise.all([startHaproxy(src, { global: ['tune.bufsize 2048'], alpn: 'http/1.1' }), startHaproxy(src, { global: ['tune.bufsize 8192'] })]);
  images = await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true });
  dir = await scratchDir('haproxy-header-limit');
});

after(async () => {
  await Promise.all([front?.close(), h2front?.close()]);
  await Promise.all([src && destroyRegistry(src), dst && destroyRegistry(dst)]);
});

test('a token larger than HAProxy tune.bufsize allows: the line names the registry, what HAProxy answered and the limit to raise', async () => {
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [127.0.0.1:1/mirror]
${registriesYaml([[front, { credentials: '{ usernameEnv: U, passwordEnv: P }' }]])}images:
  - source: ${front.host}/jetstack/app
`);
  const run = await runCli(['verify', '-c', config], { env: { U: 'admin', P: src.users.admin! } });
  const output = run.stderr + run.stdout;
  assert.equal(run.exitCode, 3, output);
  assert.match(output, new RegExp(`GET https://${front.host}/v2/jetstack/app/tags/list: 400 Bad Request, an HTML page \\(a proxy or load balancer in front of the registry answered\\): its request headers are larger than that front end allows.*HAProxy: tune\\.bufsize`));
  assert.doesNotMatch(output, /\n\s+at /);
});

test('HAProxy offering HTTP/2 with tune.bufsize 8192, which breaks it: the host goes over HTTP/1.1 at once and the copy passes, as skopeo\'s does', async () => {
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/mirror]
${registriesYaml([[h2front, { credentials: '{ usernameEnv: U, passwordEnv: P }' }], dst])}images:
  - source: ${h2front.host}/jetstack/app
`, 'h2.yaml');
  const env = { U: 'admin', P: src.users.admin! };
  const run = await runCli(['sync', '-c', config, '-v'], { env });
  const output = run.stderr + run.stdout;
  assert.equal(run.exitCode, 0, output);
  assert.equal(output.match(/offered HTTP\/2 by ALPN but broke it before its first answer/g)?.length, 1, output);
  assert.match(output, /debug: \d+ requests \(.*\), 0 retries/);
  for (const image of images) assert.equal(await skopeoDigest(`${dst.host}/mirror/app:${image.tag}`), image.digest, image.tag);
  const verify = await runCli(['verify', '-c', config], { env });
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
});
