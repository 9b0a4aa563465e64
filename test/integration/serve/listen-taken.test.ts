// `serve --listen [::1]:PORT` where something already listens: the gateway cannot start. It used
// to end with Node's own text, "regmirror: listen EADDRINUSE: address already in use ::1:5000"
// (the IPv6 address without brackets, so the port reads as part of it), saying nothing to do,
// and exit 1, a code SPEC does not give serve. It is a listen address to change: one line naming
// it as written, the remedy, and exit 2 (usage/config), before any backend is asked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type AddressInfo } from 'node:net';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let taken: Server;
let port: number;

before(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '::1', resolve));
  port = (taken.address() as AddressInfo).port;
});

after(() => new Promise<void>((resolve) => taken.close(() => resolve())));

test('serve on a taken [::1]:PORT: one line naming [::1]:PORT and what to do, exit 2', async () => {
  const dir = await scratchDir('listen-taken');
  // Backends nobody answers on: the run must end at the listen, not wait on them.
  const file = await writeConfig(dir, [
    'version: 1',
    'defaults: { targets: ["[::1]:9/mirror"] }',
    'images: [{ source: "[::1]:9/src/app" }]',
    'gateway: { listen: "127.0.0.1:0", host: img.example.test }',
    '',
  ].join('\n'));
  const run = await runCli(['serve', '-c', file, '--listen', `[::1]:${port}`], { timeoutMs: 30_000 });
  assert.equal(run.timedOut, false, run.stderr);
  assert.equal(run.exitCode, 2, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, new RegExp(`cannot listen on \\[::1\\]:${port}: the port is in use by another program.*--listen`));
  assert.doesNotMatch(run.stderr, new RegExp(` ::1:${port}`), 'the address is bracketed, as written');
});

test('serve --listen ::1:PORT (no brackets): says the bracketed form to write, exit 2', async () => {
  const dir = await scratchDir('listen-unbracketed');
  const file = await writeConfig(dir, 'version: 1\nimages: [{ source: "[::1]:9/src/app", targets: ["[::1]:9/mirror"] }]\ngateway: { listen: "127.0.0.1:0", host: img.example.test }\n');
  const run = await runCli(['serve', '-c', file, '--listen', `::1:${port}`], { timeoutMs: 30_000 });
  assert.equal(run.exitCode, 2, run.stderr);
  assert.match(run.stderr, new RegExp(`write an IPv6 address in brackets: "\\[::1\\]:${port}"`));
});

// A port past 65535 in --listen passed the pattern (five digits) and reached Node's listen(),
// which threw "options.port should be >= 0 and < 65536…": exit 1, a code SPEC does not give
// serve. gateway.listen already refused it as a config error; --listen now says the same, exit 2.
test('serve --listen HOST:99999: expected host:port, exit 2, not Node\'s RangeError', async () => {
  const dir = await scratchDir('listen-range');
  const file = await writeConfig(dir, 'version: 1\nimages: [{ source: "[::1]:9/src/app", targets: ["[::1]:9/mirror"] }]\ngateway: { listen: "127.0.0.1:0", host: img.example.test }\n');
  const run = await runCli(['serve', '-c', file, '--listen', '127.0.0.1:99999'], { timeoutMs: 30_000 });
  assert.equal(run.exitCode, 2, run.stderr);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, /--listen "127\.0\.0\.1:99999": expected host:port/);
});
