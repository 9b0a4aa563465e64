// reservePort(): registry ports below the ephemeral range, each held by one test process until it
// exits, so a stopped registry's port is never another process's; one a killed process held is
// taken over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { claim, lockFile, reservePort } from '../../harness/ports.js';

test('a reserved port is below the ephemeral range, locked with this pid, and not handed out twice', async () => {
  const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  const ports = await Promise.all(Array.from({ length: 20 }, () => reservePort()));
  assert.equal(new Set(ports).size, ports.length, 'twenty different ports');
  for (const port of ports) {
    if (low > 21_000) assert.ok(port >= 20_000 && port < low, `${port} below ${low}`);
    assert.equal(readFileSync(lockFile(port), 'utf8'), String(process.pid));
    assert.equal(claim(port), false, 'held by a live process: not claimed again');
  }
});

test('a lock left by a process that is gone is taken over', async () => {
  const port = await reservePort();
  const gone = spawnSync(process.execPath, ['-e', '']).pid!;
  writeFileSync(lockFile(port), String(gone)); // as if a killed process had held it
  assert.equal(claim(port), true);
  assert.equal(readFileSync(lockFile(port), 'utf8'), String(process.pid));
});
