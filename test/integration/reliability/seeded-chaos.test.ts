// Seeded random faults on every side (the fault proxy's `chaos`: resets before and after headers,
// bodies cut, 5xx bursts, 429 with and without Retry-After, HEAD answered with a body, slow first
// bytes, Connection: close), 10 % of requests, two seeds the chaos2 hunt ran: the sync must end
// with every digest right as skopeo reads it from the registries. A seed replays the same faults
// whatever the order of requests, so a failure here reproduces. Stalls are left out: each costs
// the 60 s body timeout, which the stall tests cover. A third seed adds misbehaving proxies (the
// chaos hunt's catalogue: HTML 502/503/504, headers after 4-8 s, bodies trickled, garbage for a
// status line, a doubled Content-Length, chunked framing broken, an empty line after an answer,
// an unasked 100 Continue, a kept-alive socket closed as a request arrives) at 15 %.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { testCerts } from '../../harness/tls.js';
import { startFaultProxy, type ChaosKind, type FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { adminPush, digestDifferences } from './helpers.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let a: RunningRegistry;
let b: RunningRegistry;

before(async () => {
  [src, a, b] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true }), startRegistry({ tls: true })]);
  await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.0.1', 'v1.1.0'], format: 'oci', platforms: 3, layerBytes: 200_000, signature: true });
});

after(async () => {
  await Promise.all([src, a, b].map((r) => r && destroyRegistry(r)));
});

const PROXY_KINDS: ChaosKind[] = ['page5xx', 'slowHeaders', 'trickle', 'garbage', 'dupLength', 'badChunked', 'extraLine', 'continue100', 'staleClose'];
const MISBEHAVING = Object.fromEntries(PROXY_KINDS.map((kind) => [kind, 2]));

for (const [seed, rate, weights] of [[416, 0.1, {}], [901, 0.1, {}], [11, 0.15, MISBEHAVING]] as const) {
  test(`seed ${seed}: a sync through ${rate * 100} % seeded faults on every side ends with every digest right`, async () => {
    const tls = (await testCerts()).servers.good;
    const log: string[] = [];
    const chaos = { seed, rate, weights: { stall: 0, ...weights }, log };
    const proxies: FaultProxy[] = await Promise.all([src, a, b].map((r) => startFaultProxy(r.url, { tls, upstreamCa: r.caFile, chaos })));
    try {
      const ns = `seed${seed}`;
      const file = await writeConfig(await scratchDir(`chaos-${seed}`), `version: 1
defaults:
  targets: [${a.host}/${ns}, ${b.host}/${ns}]
${registriesYaml([src, a, b])}images:
  - source: ${src.host}/jetstack/app
`);
      const endpoints = [src, a, b].flatMap((r, i) => ['--endpoint', `${r.host}=${proxies[i]!.url}`]);
      const run = await runCli(['sync', '-c', file, '--no-progress', ...endpoints], { timeoutMs: 240_000 });
      assert.ok(log.length >= 10, `${log.length} faults injected: the test means something`);
      if (weights === MISBEHAVING) for (const kind of ['garbage', 'dupLength', 'badChunked', 'extraLine']) assert.ok(log.some((f) => f.endsWith(` ${kind}`)), `${kind} among the faults`);
      assert.equal(run.exitCode, 0, `${run.stderr}\nfaults: ${log.join('; ')}`);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      const { checked, wrong } = await digestDifferences(src, 'jetstack/app', [[a, `${ns}/app`], [b, `${ns}/app`]]);
      assert.ok(checked >= 12, `${checked} tags checked`);
      assert.deepEqual(wrong, []);
    } finally {
      await Promise.all(proxies.map((p) => p.close()));
    }
  });
}
