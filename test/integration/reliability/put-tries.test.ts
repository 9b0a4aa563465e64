// A blob or manifest PUT that a proxy answers 502 every time, or whose connection is reset every
// time: the tag's line said the last answer only ('PUT …/manifests/v1.0.0: 502 Bad Gateway, …'),
// where a reset blob upload already said 'not uploaded, tried 3 times'. Each now says what was not
// pushed and how often it was tried, then the last answer, as many times as the proxy saw it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFaultProxy, type Fault } from '../../harness/fault-proxy.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { triesBed } from './tries-bed.js';

const bed = triesBed();

const BLOB = /\/blobs\/uploads\//;
const MANIFEST = /\/manifests\//;
const cases: { name: string; path: RegExp; fault: Fault; line: RegExp }[] = [
  { name: 'blob-502', path: BLOB, fault: { kind: 'page', status: 502 }, line: /blob sha256:\w+ \([^)]+\) not uploaded, tried 3 times; the last time: PUT \S+: 502 Bad Gateway/ },
  { name: 'blob-reset', path: BLOB, fault: { kind: 'reset' }, line: /blob sha256:\w+ \([^)]+\) not uploaded, tried 3 times; the last time: \S+ unreachable: PUT / },
  { name: 'manifest-502', path: MANIFEST, fault: { kind: 'page', status: 502 }, line: /manifest v1\.0\.0 not pushed, tried 3 times; the last time: PUT \S+\/manifests\/v1\.0\.0: 502 Bad Gateway/ },
  { name: 'manifest-reset', path: MANIFEST, fault: { kind: 'reset' }, line: /manifest v1\.0\.0 not pushed, tried 3 times; the last time: \S+ unreachable: PUT \S+\/manifests\/v1\.0\.0: / },
];
for (const { name, path, fault, line } of cases) {
  test(`a ${name.replace('-', ' PUT ')} every time: the line says it was tried 3 times`, async () => {
    const { src, dst } = bed;
    const proxy = await startFaultProxy(dst.url);
    after(() => proxy.close());
    proxy.inject({ method: 'PUT', path, times: Infinity, fault });
    const yaml = `version: 1\ndefaults:\n  targets: [${dst.host}/${name}]\n${registriesYaml([src, [dst, { maxAttempts: 3 }]])}images:\n  - source: ${src.host}/tries/app\n`;
    const config = await writeConfig(await scratchDir('put-tries'), yaml);
    const run = await runCli(['sync', '-c', config, '--endpoint', `${dst.host}=${proxy.url}`, '--no-progress', '-v']);
    assert.equal(run.exitCode, 1, run.stdout + run.stderr);
    assert.match(run.stdout, line);
    // Each blob (config and layer) or the manifest was PUT as often as the line says.
    const puts = new Map<string, number>();
    for (const e of proxy.stats.log.filter((x) => x.method === 'PUT' && path.test(x.path))) {
      const what = path === BLOB ? /digest=([^&]+)/.exec(e.path)?.[1] ?? e.path : e.path;
      puts.set(what, (puts.get(what) ?? 0) + 1);
    }
    assert.equal(puts.size, path === BLOB ? 2 : 1, JSON.stringify([...puts]));
    for (const [what, n] of puts) assert.equal(n, 3, `${what}: ${n} PUTs`);
    // -v's retries are the PUTs sent again (2 of each 3), not every request of a whole upload sent
    // again (its POST too: 'blob-502' counted 8 retries for 6 PUTs).
    const retries = Number(/ (\d+) retries,/.exec(run.stderr)?.[1]);
    assert.equal(retries, [...puts.values()].reduce((a, n) => a + n - 1, 0), run.stderr.split('\n').filter((l) => / retries,/.test(l)).join('\n'));
  });
}
