// A real HAProxy (TLS, HTTP/1.1 as its `bind … ssl crt` offers by default) with a small
// tune.bufsize in front of a token-auth registry: a request whose headers (the Authorization
// header, a token for one repository) do not fit tune.bufsize less tune.maxrewrite gets HAProxy's
// 400 page "Your browser sent an invalid request", which names no header. The line says what
// refused and which limit to raise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { startHaproxy, type RunningHaproxy } from '../../harness/haproxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';
import { adminPush } from '../reliability/helpers.js';

let src: RunningRegistry;
let front: RunningHaproxy;
let dir: string;

before(async () => {
  src = await startRegistry({ auth: 'token' });
  front = await startHaproxy(src, { global: ['tune.bufsize 2048'], alpn: 'http/1.1' });
  await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true });
  dir = await scratchDir('haproxy-header-limit');
});

after(async () => {
  await front?.close();
  if (src) await destroyRegistry(src);
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
