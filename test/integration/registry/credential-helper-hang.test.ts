// Credential helpers that are shell scripts leave children of their own (gpg for `pass`, a
// keychain prompt, here a sleep) holding the helper's stdout. The helper was killed at its 30 s
// timeout, but the run went on waiting for that output to end, as long as the child lived: a
// sync stuck for the whole life of the child (5 minutes here), deaf to SIGTERM. A helper that
// answered and exited, with a child left in the background, held the run the same way. What a
// helper said by the time it exited is all it says.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { credentialsFor } from '../../../src/registry/credentials.js';
import { createLogger } from '../../../src/ui/log.js';
import { scratchDir } from '../../harness/scratch.js';

/** A docker config naming `docker-credential-NAME` (a shell script of `body`) as the credsStore. */
async function helperConfig(name: string, body: string): Promise<{ env: NodeJS.ProcessEnv; warnings: string[] }> {
  const dir = await scratchDir('helper-hang');
  after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, `docker-credential-${name}`);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  await writeFile(join(dir, 'config.json'), JSON.stringify({ credsStore: name }));
  return { env: { PATH: `${dir}:/usr/bin:/bin`, DOCKER_CONFIG: dir, HOME: dir }, warnings: [] };
}

describe('credential helpers whose children outlive them', () => {
  it('an answer given before the helper exited is taken at once, whatever it left running', { timeout: 20_000 }, async () => {
    const { env } = await helperConfig('lingers', `read server\necho '{"ServerURL":"'$server'","Username":"robot","Secret":"s3cret-lingers"}'\n(sleep 300) &`);
    const started = Date.now();
    const found = await credentialsFor(undefined, { env })('quay.io');
    assert.deepEqual(found && 'username' in found ? [found.username, found.password] : found, ['robot', 's3cret-lingers']);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  it('a helper that never answers is given up at its timeout, with a warning that says so', { timeout: 60_000 }, async () => {
    const { env, warnings } = await helperConfig('hangs', 'sleep 300');
    const logger = createLogger('normal', (line) => warnings.push(line));
    const started = Date.now();
    assert.equal(await credentialsFor(undefined, { env, logger })('quay.io'), undefined);
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds < 40, `took ${seconds} s`);
    assert.match(warnings.join(''), /credential helper docker-credential-hangs failed for quay\.io: no answer within 30 s/);
  });
});

// newuser hunt: a config.json copied from Docker Desktop names `credsStore: desktop`, not installed
// on a CI machine. It was said once per registry, 'credential helper docker-credential-desktop
// failed for 127.0.0.1:25501: not installed', then the same for the next, without the file that
// names it or what to do.
describe('a credsStore that is not installed', () => {
  it('is said once for the run, naming the file that names it and what to do', async () => {
    const dir = await scratchDir('helper-missing');
    after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ credsStore: 'desktop-absent' }));
    const env = { PATH: `${dir}:/usr/bin:/bin`, DOCKER_CONFIG: dir, HOME: dir };
    const warnings: string[] = [];
    const credentials = credentialsFor(undefined, { env, logger: createLogger('normal', (line) => warnings.push(line)) });
    assert.equal(await credentials('quay.io'), undefined);
    assert.equal(await credentials('ghcr.io'), undefined);
    assert.deepEqual(warnings, [
      `warning: docker-credential-desktop-absent, named as credsStore in ${join(dir, 'config.json')}, is not installed: registries are read without it (that file's auths, else anonymously); install it, or remove it from that file (a config.json copied from Docker Desktop names \`desktop\`)\n`,
    ]);
  });
});
