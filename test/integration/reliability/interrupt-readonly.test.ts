// SIGINT during a command that writes nothing (verify, plan, sync --dry-run): exit 130, and the
// warning says what stopping means for it. It used to say, for every command, "no tag is written
// for a partly copied image", which an auditor reads as verify having been copying something.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type AddressInfo, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

// A registry that takes connections and never answers: the run is in flight when the signal comes.
let silent: Server;
const sockets = new Set<Socket>();
let host: string;

before(async () => {
  silent = createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); silent.close(() => resolve()); }));

for (const args of [['verify'], ['plan'], ['sync', '--dry-run']]) {
  test(`SIGINT during ${args.join(' ')}: exit 130, and no word of copies or tags written`, async () => {
    const dir = await scratchDir('interrupt-readonly');
    const file = await writeConfig(dir, `version: 1\nimages: [{ source: "${host}/src/app", targets: ["${host}/mirror"] }]\n`);
    // The signal goes once the run has connected: its handler is in place by then. A fixed 1.5 s
    // could come before it on a loaded machine (start-up to the handler took up to 0.8 s here),
    // and SIGINT would then kill node outright, without exit 130 or the warning.
    const connected = new Promise((resolve) => silent.once('connection', resolve));
    const run = await runCli([...args, '-c', file], { signalWhen: { signal: 'SIGINT', when: connected }, timeoutMs: 30_000 });
    assert.equal(run.exitCode, 130, run.stderr);
    assert.match(run.stderr, /SIGINT: stopping — nothing new starts/);
    assert.doesNotMatch(run.stderr, /partly copied|tag is written/, run.stderr);
  });
}

// With -o the partial report is in that file, where the warning said "the audit above" (verify4
// hunt: verify --format json -o int.json of 325 tags, SIGINT 6 s in; nothing was above).
for (const [args, what] of [[['verify'], 'audit'], [['sync', '--dry-run'], 'plan']] as const) {
  test(`SIGINT during ${args.join(' ')} -o FILE: the warning says the partial ${what} is in FILE`, async () => {
    const dir = await scratchDir('interrupt-readonly');
    const file = await writeConfig(dir, `version: 1\nimages: [{ source: "${host}/src/app", targets: ["${host}/mirror"] }]\n`);
    const out = `${dir}/report.json`;
    const connected = new Promise((resolve) => silent.once('connection', resolve));
    const run = await runCli([...args, '-c', file, '--format', 'json', '-o', out], { signalWhen: { signal: 'SIGINT', when: connected }, timeoutMs: 30_000 });
    assert.equal(run.exitCode, 130, run.stderr);
    assert.match(run.stderr, new RegExp(`interrupted: the ${what} in ${out} is partial${what === 'audit' ? ' \\(\\d+ tags? audited\\)' : ''}`), run.stderr);
    assert.equal((JSON.parse(await readFile(out, 'utf8')) as { interrupted?: boolean }).interrupted, true);
  });
}
