// A registry reached over TLS that accepts TCP and never finishes the handshake (a hung process, a
// load balancer with nothing behind it): quay.io "down" at 3 a.m. as it often looks. Each attempt
// waits out the 10 s connect timeout, so three things went wrong there:
// - the run said nothing until every attempt of every request had failed (~55 s): it said at the
//   first timeout that the host is silent and that it keeps asking;
// - it kept asking: 5 attempts of each request, 10 connections and 55 s for a listing's two; the
//   host is now silent after the first connect timeout, nothing else from it answering, and not
//   asked again (silence.ts): 2 connections, the run ends after ~10 s;
// - SIGINT took 7–9 s: the requests waiting for a connection heard the abort only at their
//   connect timeout, the report came after it, and the half-open socket held the process after
//   that. Now the pools are ended at the signal, and the listing cut short is not a failure row.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';

let hole: Server;
const sockets = new Set<Socket>();
let host: string;
let connections = 0;

before(async () => {
  hole = createServer((s) => { connections++; sockets.add(s); s.on('error', () => {}).on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(hole.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); hole.close(() => resolve()); }));

for (const command of ['sync', 'verify']) {
  test(`${command} at a TLS registry that never finishes its handshake: SIGINT while it connects ends the run at once`, { timeout: 90_000 }, async () => {
    const dir = await scratchDir('interrupt-blackhole');
    const { caFile } = await testCerts();
    // HTTPS to the hole: a loopback host is plain HTTP by default, where the connect would succeed.
    const file = await writeConfig(dir, `version: 1\nregistries:\n  ${host}:\n    caFile: ${caFile}\nimages: [{ source: "${host}/src/app", targets: ["${host}/mirror"] }]\n`);
    const connecting = new Promise((resolve) => hole.once('connection', resolve));
    const run = await runCli([command, '-c', file, '--no-progress'], { signalWhen: { signal: 'SIGINT', when: connecting }, timeoutMs: 60_000 });
    assert.equal(run.timedOut, false, run.stderr);
    assert.equal(run.exitCode, 130, run.stderr);
    // The signal goes as the first connection waits for its handshake; before, the exit waited
    // for its connect timeout (~10 s), whatever the machine's load.
    assert.ok(run.exitAfterSignalMs! < 6_000, `exit ${run.exitAfterSignalMs} ms after SIGINT, not after the connect timeout`);
    // Cut short is not failed: no row blames the registry for what the signal stopped.
    assert.doesNotMatch(run.stdout + run.stderr, /aborted/, run.stdout);
    assert.match(run.stderr, /interrupted: /);
  });
}

for (const command of ['sync', 'verify']) {
  test(`${command} at a TLS registry that never finishes its handshake: each request tried once, the run over after one connect timeout`, { timeout: 180_000 }, async () => {
    const dir = await scratchDir('blackhole-once');
    const { caFile } = await testCerts();
    const file = await writeConfig(dir, `version: 1\nregistries:\n  ${host}:\n    caFile: ${caFile}\nimages: [{ source: "${host}/src/app", targets: ["${host}/mirror"] }]\n`);
    const seen = connections;
    const run = await runCli([command, '-c', file, '--no-progress', '-v'], { timeoutMs: 150_000 });
    assert.equal(run.exitCode, 3, run.stderr);
    assert.match(run.stdout + run.stderr, /cannot list tags: \S+ unreachable: GET https:\/\/\S+\/v2\/src\/app\/tags\/list: no connection within 10 s, TLS handshake included \(UND_ERR_CONNECT_TIMEOUT\)/);
    // The source's listing and the target's, once each; before, 5 attempts of each: 10 connections.
    assert.equal(connections - seen, 2, run.stderr);
    assert.match(run.stderr, /debug: 2 requests \(GET 2\), 0 retries,/);
  });
}
