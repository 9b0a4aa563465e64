// engine: skopeo with a bearer token (tokenEnv) for a registry its copies reach (layouts3 hunt:
// regclient's testrepo pushed with engine: skopeo to a TLS registry whose entry gives tokenEnv).
// skopeo reads such a token only from its command line, which regmirror never writes secrets to,
// so every copy there failed alike: 17 rows 'engine: skopeo cannot use a bearer token …' after
// the run had listed the target with the token, exit 1; and where the registry refused the token,
// 17 rows 'repository absent or access denied', the reason never said. The run is refused before
// any request: one line, exit 2, for sync and plan alike.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { repoRoot, runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let registry: RunningRegistry;
let proxy: FaultProxy;
let config: string;

before(async () => {
  registry = await startRegistry({ tls: true });
  proxy = await proxyFor(registry);
  const dir = await scratchDir('skopeo-token-refusal');
  await cp(join(repoRoot(), 'test', 'fixtures', 'thirdparty', 'regclient-testrepo'), join(dir, 'testrepo'), { recursive: true });
  config = await writeConfig(dir, `version: 1
defaults:
  targets: [${proxy.host}/mirror]
  engine: skopeo
${registriesYaml([[{ host: proxy.host, caFile: registry.caFile }, { credentials: '{ tokenEnv: MIRROR_TOKEN }' }]])}images:
  - source: oci:${join(dir, 'testrepo')}
`);
});
after(async () => {
  await proxy?.close();
  await destroyRegistry(registry);
});

for (const command of ['sync', 'plan']) {
  test(`${command}: a bearer token for a registry skopeo copies to is one line, exit 2, before any request`, async () => {
    const run = await runCli([command, '-c', config, '--no-progress'], { env: { MIRROR_TOKEN: 'not-a-real-token' } });
    assert.equal(run.exitCode, 2, run.stdout + run.stderr);
    assert.equal(run.stderr.trim(), `regmirror: ${proxy.host}: engine: skopeo cannot use a bearer token, from mirrors.yaml's registries.${proxy.host}.credentials, without exposing it on the command line; use username/password or engine: native`);
    assert.equal(proxy.stats.requests, 0, 'no request reached the registry');
    assert.doesNotMatch(run.stdout + run.stderr, /not-a-real-token/);
  });
}

test('--engine native with the same config goes on with the token', async () => {
  const run = await runCli(['sync', '-c', config, '--no-progress', '--engine', 'native', '--tag', 'a1'], { env: { MIRROR_TOKEN: 'not-a-real-token' } });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
});
