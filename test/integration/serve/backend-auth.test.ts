// A gateway backend that refuses the gateway's credentials: the gateway says so in its log, once,
// naming the backend and what to check (it used to show on the stats page only, while clients got
// 503s that said no backend answered "in time"), and never prints the password.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { startGateway, until } from './gateway-process.js';

let reg: RunningRegistry;
let dir: string;

before(async () => {
  reg = await startRegistry({ tls: true, auth: 'htpasswd' });
  dir = await scratchDir('gw-backend-auth');
});

after(async () => {
  if (reg) await destroyRegistry(reg);
});

test('a backend refusing the username and password: one log line naming it, no password', async () => {
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [${reg.host}/mirror]
registries:
  ${reg.host}:
    caFile: ${reg.caFile}
    credentials: { usernameEnv: GW_USER, passwordEnv: GW_PASS }
images:
  - source: ${reg.host}/jetstack/app
gateway:
  healthInterval: 1
`);
  process.env.GW_USER = 'admin';
  process.env.GW_PASS = 'not-the-password-x7';
  const gw = await startGateway(config);
  try {
    const said = () => gw.stderr().split('\n').filter((l) => l.includes(`backend ${reg.host} is down`));
    await until(() => said().length > 0, 'the down line');
    await new Promise((r) => setTimeout(r, 2500)); // two more probe rounds: still one line
    assert.equal(said().length, 1, gw.stderr());
    assert.match(said()[0]!, new RegExp(`^warning: backend ${reg.host} is down: ${reg.host} refused the username and password sent to it \\(401\\): check them`));
    assert.doesNotMatch(gw.stderr(), /not-the-password-x7/);
    // Its clients get a 503 that does not blame slowness.
    const res = await fetch(`${gw.url}/v2/app/manifests/v1.0.0`);
    assert.equal(res.status, 503);
    const body = await res.text();
    assert.match(body, /no backend could answer \(down, unreachable or refusing the gateway\)/);
    assert.doesNotMatch(body, /in time/);
  } finally {
    assert.equal(await gw.stop(), 0);
    delete process.env.GW_USER;
    delete process.env.GW_PASS;
  }
});
