// A registry reached over TLS that accepts TCP and never finishes the handshake (a hung process, a
// load balancer with nothing behind it): quay.io "down" at 3 a.m. as it often looks. Each attempt
// waits out the 10 s connect timeout, so two things went wrong there:
// - the run said nothing until every attempt of every request had failed (~55 s): it now says at
//   the first timeout that the host is silent and that it keeps asking;
// - SIGINT then took 7–9 s: the requests waiting for a connection heard the abort only at their
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

before(async () => {
  hole = createServer((s) => { sockets.add(s); s.on('error', () => {}).on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(hole.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); hole.close(() => resolve()); }));

for (const command of ['sync', 'verify']) {
  test(`${command} at a TLS registry that never finishes its handshake: the silence is said, and SIGINT ends the run at once`, { timeout: 90_000 }, async () => {
    const dir = await scratchDir('interrupt-blackhole');
    const { caFile } = await testCerts();
    // HTTPS to the hole: a loopback host is plain HTTP by default, where the connect would succeed.
    const file = await writeConfig(dir, `version: 1\nregistries:\n  ${host}:\n    caFile: ${caFile}\nimages: [{ source: "${host}/src/app", targets: ["${host}/mirror"] }]\n`);
    const run = await runCli([command, '-c', file, '--no-progress'], { signalOnOutput: { signal: 'SIGINT', pattern: /asking again/ }, timeoutMs: 60_000 });
    assert.equal(run.timedOut, false, run.stderr);
    assert.equal(run.exitCode, 130, run.stderr);
    assert.match(run.stderr, new RegExp(`warning: ${host.replace(/\./g, '\\.')}: no connection within 10 s, TLS handshake included \\(UND_ERR_CONNECT_TIMEOUT\\); asking again, up to 5 attempts a request`));
    // The signal goes at the first timeout (~10 s); before, the exit waited for the second
    // attempt's (~10 s more), whatever the machine's load.
    assert.ok(run.exitAfterSignalMs! < 6_000, `exit ${run.exitAfterSignalMs} ms after SIGINT, not after another connect timeout`);
    // Cut short is not failed: no row blames the registry for what the signal stopped.
    assert.doesNotMatch(run.stdout + run.stderr, /aborted/, run.stdout);
    assert.match(run.stderr, /interrupted: /);
  });
}
