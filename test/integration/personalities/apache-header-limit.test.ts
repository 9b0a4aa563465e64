// A real Apache (distribution's recipe, TLS) with a small LimitRequestFieldSize in front of a
// token-auth registry: the Authorization header, a token for one repository, outgrows it. Over
// HTTP/1.1 Apache answers its 400 "Bad Request" page ("Size of a request header field exceeds
// server limit"), over HTTP/2 (mod_http2) a 431 page. Either way the line names the registry, what
// Apache answered and the directive to raise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { startApache, type RunningApache } from '../../harness/apache.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';
import { adminPush } from '../reliability/helpers.js';

let src: RunningRegistry;
let h1: RunningApache;
let h2: RunningApache;
let dir: string;

before(async () => {
  src = await startRegistry({ auth: 'token' });
  const server = ['LimitRequestFieldSize 1024'];
  [h1, h2] = await Promise.all([startApache(src, { server, http2: false }), startApache(src, { server })]);
  await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true });
  dir = await scratchDir('apache-header-limit');
});

after(async () => {
  await Promise.all([h1?.close(), h2?.close()]);
  if (src) await destroyRegistry(src);
});

test('a token larger than Apache LimitRequestFieldSize allows, over HTTP/1.1 (400) and HTTP/2 (431): the line names the registry, what Apache answered and the directive to raise', async () => {
  for (const [front, answered] of [[h1, '400 Bad Request'], [h2, '431 Request Header Fields Too Large']] as const) {
    const config = await writeConfig(dir, `version: 1
defaults:
  targets: [127.0.0.1:1/mirror]
${registriesYaml([[front, { credentials: '{ usernameEnv: U, passwordEnv: P }' }]])}images:
  - source: ${front.host}/jetstack/app
`, front === h1 ? 'h1.yaml' : 'h2.yaml');
    const run = await runCli(['verify', '-c', config], { env: { U: 'admin', P: src.users.admin! } });
    const output = run.stderr + run.stdout;
    assert.equal(run.exitCode, 3, output);
    assert.match(output, new RegExp(`GET https://${front.host}/v2/jetstack/app/tags/list: ${answered}, an HTML page \\(a proxy or load balancer in front of the registry answered\\): its request headers are larger than that front end allows.*Apache: LimitRequestFieldSize 16380, its default 8190\\)`));
    assert.doesNotMatch(output, /\n\s+at /);
  }
});
