// A gateway started on a port another program holds (an old gateway still running, say) said
// `listen EADDRINUSE: address already in use 127.0.0.1:18080` and exited 1, which SPEC does not
// give serve. It is the address the user chose: exit 2, one line naming it and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

const GATEWAY_YAML = (listen: string) => `version: 1
images:
  - source: quay.io/jetstack/app
    targets: [ghcr.io/cert-manager]
gateway:
  listen: ${listen}
  host: img.example.test
`;

test('serve on a port in use exits 2 with one line naming the address and what to do', { timeout: 60_000 }, async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address() as AddressInfo;
  try {
    const config = await writeConfig(await scratchDir('listen-busy'), GATEWAY_YAML(`127.0.0.1:${port}`));
    const r = await runCli(['serve', '-c', config]);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use by another program .*choose another port with gateway\\.listen or --listen`));
    assert.doesNotMatch(r.stderr, /EADDRINUSE|at .*\.js/);
  } finally {
    holder.close();
  }
});

test('serve --listen on an address this machine does not have exits 2 saying so', { timeout: 60_000 }, async () => {
  const config = await writeConfig(await scratchDir('listen-foreign'), GATEWAY_YAML('127.0.0.1:0'));
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this machine.
  const r = await runCli(['serve', '-c', config, '--listen', '192.0.2.7:8080']);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /cannot listen on 192\.0\.2\.7:8080: the host is not an address of this machine/);
});
