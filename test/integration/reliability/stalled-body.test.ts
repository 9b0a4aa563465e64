// A source that sent a blob's headers and part of its body, then nothing more (a proxy or CDN
// stalled mid-answer): the read waits out its body timeout (60 s) and resumes by Range, and
// meanwhile the plain progress lines said nothing of why the run stood still (issuer2 hunt: a
// TLS docker-registry behind a proxy dripping a blob at 2 KiB/s, then stalling: seven lines of
// the same figures over 70 s), the request counting as answered at its headers. They now name
// the host whose bytes stopped. A real TLS registry behind the fault proxy's stall fault.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { proxyFor, oneMirrorYaml } from '../../harness/tls-bed.js';

let source: RunningRegistry;
let target: RunningRegistry;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  await seedImage({ url: source.url }, { repository: 'stall/app', tags: ['v1.0.0'], format: 'oci', platforms: 1, layerBytes: 1024 * 1024 });
});

after(async () => {
  await Promise.all([source, target].map((r) => r && destroyRegistry(r)));
});

test('a blob whose bytes stop mid-body: the progress lines name the host, not only the same figures', { timeout: 60_000 }, async () => {
  const front = await proxyFor(source);
  try {
    front.inject({ method: 'GET', path: /\/blobs\/sha256:/, times: Infinity, fault: { kind: 'stall', afterBytes: 100 * 1024 } });
    const file = await writeConfig(await scratchDir('stalled-body'), oneMirrorYaml(source, target, 'stall/app'));
    // Stopped after 6 s, long before the body timeout: only the lines meanwhile matter here.
    const run = await runCli(['sync', '-c', file, '--progress-interval', '1', '--endpoint', `${source.host}=${front.url}`], { env: { CI: 'true' }, timeoutMs: 6000 });
    assert.ok(front.stats.injected.stall > 0, 'the stall was met');
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('synced '));
    const host = front.host.replace(/\./g, '\\.');
    assert.ok(lines.some((l) => new RegExp(`^synced 0/1 \\(image, tag\\).* · no bytes from ${host} for \\d+ s \\(\\d downloads? stalled mid-body\\)$`).test(l)), `a line naming the stalled source: ${JSON.stringify(lines)}`);
  } finally {
    await front.close();
  }
});
