// A real Apache (distribution's recipe, TLS, h2) with mod_reqtimeout's `RequestReadTimeout body=6`
// (the whole body within 6 s, a common hardening of its default body=20,MinRate=500) in front of
// the target, and a source whose blob reads come slowly (64 KiB every 20 ms): a whole layer's
// PUT, as slow as its source, gets Apache's 408 page every time. A 408 says the body took too long,
// as a 413 says it was too large: the layer goes again in chunks, each well within the window.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { startApache, type RunningApache } from '../../harness/apache.js';
import { digestOf, tarWithOneFile } from '../../harness/seed.js';
import { oneMirrorYaml, proxyFor } from '../../harness/tls-bed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { digestDifferences } from '../reliability/helpers.js';
import { MiB, open, patternBytes, seedLarge } from './fixtures.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let slowSrc: FaultProxy;
let front: RunningApache;
let dir: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
  front = await startApache(dst, { server: ['RequestReadTimeout body=6'] });
  await seedLarge(open(src), 'jetstack/app', ['v1.0.0'], 40 * MiB);
  slowSrc = await proxyFor(src);
  const large = digestOf(tarWithOneFile('large.bin', patternBytes('jetstack/app:v1.0.0:large', 40 * MiB)));
  slowSrc.inject({ method: 'GET', path: new RegExp(large), fault: { kind: 'trickle', bytes: 64 * 1024 }, times: Infinity });
  dir = await scratchDir('apache-body-timeout');
});

after(async () => {
  await Promise.all([front?.close(), slowSrc?.close()]);
  await Promise.all([src && destroyRegistry(src), dst && destroyRegistry(dst)]);
});

test('Apache RequestReadTimeout body=6 and a slow source: its 408 to the whole 40 MiB layer sends it again in chunks, and the copy passes', async () => {
  const run = await runCli(['sync', '-c', await writeConfig(dir, oneMirrorYaml(slowSrc, [front, { maxAttempts: 3 }], 'jetstack/app')), '-v', '--no-progress']);
  const output = run.stderr + run.stdout;
  assert.equal(run.exitCode, 0, output);
  assert.match(output, /refused a monolithic upload \(408\): chunked uploads of 4 MiB from now on/);
  const whole = (await front.requests()).filter((r) => r.method === 'PUT' && r.status === 408);
  assert.equal(whole.length, 1, `Apache's 408s: ${whole.length}`);
  // The layer sent again in chunks is one retry, not one per request it takes (10 chunks and more).
  assert.match(run.stderr, /\b1 retry,/, /\d+ requests.*/.exec(run.stderr)?.[0]);
  const { wrong, checked } = await digestDifferences(src, 'jetstack/app', [[dst, 'mirror/app']]);
  assert.deepEqual(wrong, []);
  assert.equal(checked, 1);
});
