// runCli against a stand-in checkout (REGMIRROR_ROOT), so the harness is tested apart from the real CLI.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

const FAKE_CLI = `
const [cmd, arg] = process.argv.slice(2);
if (cmd === 'echo') { console.log(JSON.stringify({ args: process.argv.slice(2), cwd: process.cwd(), dockerConfig: process.env.DOCKER_CONFIG, extra: process.env.EXTRA })); console.error('to stderr'); process.exit(Number(arg ?? 0)); }
if (cmd === 'wait') { process.on('SIGINT', () => { console.log('interrupted'); process.exit(130); }); console.log('waiting'); setInterval(() => {}, 1000); }
`;

describe('runCli', () => {
  let root: string;
  before(async () => {
    root = await scratchDir('fake-root');
    await mkdir(join(root, 'bin'));
    await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'regmirror', type: 'module' }));
    await writeFile(join(root, 'bin', 'regmirror.js'), FAKE_CLI);
    process.env.REGMIRROR_ROOT = root;
  });
  after(async () => { await rm(root, { recursive: true, force: true }); });

  it('returns exit code, stdout and stderr; isolates DOCKER_CONFIG; passes env and cwd', async () => {
    const cwd = await scratchDir('cli-cwd');
    const result = await runCli(['echo', '3'], { env: { EXTRA: 'x' }, cwd });
    assert.equal(result.exitCode, 3);
    const seen = JSON.parse(result.stdout) as { args: string[]; cwd: string; dockerConfig: string; extra: string };
    assert.deepEqual(seen.args, ['echo', '3']);
    assert.equal(seen.cwd, cwd);
    assert.equal(seen.extra, 'x');
    assert.match(seen.dockerConfig, /regmirror-docker-config-/);
    assert.equal(result.stderr.trim(), 'to stderr');
    await rm(cwd, { recursive: true, force: true });
  });

  it('delivers a signal once the output shows the run is under way', async () => {
    const result = await runCli(['wait'], { signalOnOutput: { signal: 'SIGINT', pattern: /waiting/ }, timeoutMs: 20_000 });
    assert.equal(result.exitCode, 130);
    assert.match(result.stdout, /waiting\ninterrupted/);
  });

  it('delivers a signal after a delay', async () => {
    const result = await runCli(['wait'], { signalAfterMs: { signal: 'SIGTERM', ms: 200 }, timeoutMs: 20_000 });
    assert.equal(result.signal, 'SIGTERM'); // the stand-in handles only SIGINT
    assert.equal(result.exitCode, undefined);
  });

  it('writeConfig writes the YAML and returns its path', async () => {
    const path = await writeConfig(join(root, 'cfg'), 'version: 1\n');
    assert.equal(path, join(root, 'cfg', 'mirrors.yaml'));
  });
});
