// A token service on another origin that cannot be reached while its registry answers: the line
// called the registry unreachable and named the token service only inside its URL (tokens4 hunt:
// '… cannot list tags: HOST unreachable: GET https://localhost:38083/token: it closed the connection
// before answering in full (UND_ERR_SOCKET) (tried 5 times)'). It now says whose it is.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry } from '../../harness/registry.js';
import { tokenService } from '../../harness/personalities/token-service.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

test('a token service that hangs up: the line names it as the registry\'s token service, plan exits 3', async () => {
  const [src, dst] = await Promise.all([startRegistry({ tls: true, auth: 'token', realmPersonalities: [tokenService({ hangUp: true })] }), startRegistry({ tls: true })]);
  after(() => Promise.all([destroyRegistry(src), destroyRegistry(dst)]));
  const realm = new URL(src.tokenServer!.realm).origin;
  const dir = await scratchDir('realm-unreachable');
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/mirror]
registries:
  ${src.host}: { caFile: ${src.caFile}, maxAttempts: 2 }
  ${dst.host}: { caFile: ${dst.caFile} }
images:
  - source: ${src.host}/jetstack/app
`);
  const run = await runCli(['plan', '-c', file, '--no-progress'], { env: { SRC_USER: 'admin' } });
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  assert.ok(run.stdout.includes(`cannot list tags: ${src.host}: its token service ${realm} is unreachable: GET ${realm}/token: it closed the connection before answering in full`), run.stdout);
  assert.doesNotMatch(run.stdout, new RegExp(`${src.host.replace(/\./g, '\\.')} unreachable`));
});
