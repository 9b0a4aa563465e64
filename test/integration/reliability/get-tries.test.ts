// A GET or HEAD a proxy answers 503 every time, or whose connection is reset every time: the tag's
// line said the last answer only ('cannot list tags: GET …/tags/list: 503 …'), where a PUT given up
// on says how often it was tried. Each now says it too, once, as many times as the proxy saw it; a
// failure asked once (a 404, a 401) says nothing of tries.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFaultProxy, type Fault } from '../../harness/fault-proxy.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { triesBed } from './tries-bed.js';

const bed = triesBed();

const TRIED = /\(tried \d+ times\)/;
const cases: { name: string; side: 'source' | 'target'; method: string; path: RegExp; fault: Fault; line: RegExp; tries: number; warm?: boolean }[] = [
  { name: 'a tag list answered 503', side: 'source', method: 'GET', path: /\/tags\/list/, fault: { kind: 'status', status: 503 }, tries: 3, line: /cannot list tags: GET \S+\/tags\/list: 503 .*\(tried 3 times\)$/m },
  { name: 'a manifest GET reset', side: 'source', method: 'GET', path: /\/manifests\/v1\.0\.0/, fault: { kind: 'reset' }, tries: 3, line: /\S+ unreachable: GET \S+\/manifests\/v1\.0\.0: .*\(tried 3 times\)$/m },
  // The copier reads a blob again whole as often as its target would upload it (3 here), each read tried 3 times.
  { name: 'a blob GET answered a 502 page', side: 'source', method: 'GET', path: /\/blobs\/sha256:/, fault: { kind: 'page', status: 502 }, tries: 9, line: /GET \S+\/blobs\/sha256:\w+: 502 Bad Gateway.*\(tried 9 times\)$/m },
  { name: 'a manifest HEAD answered 503', side: 'target', method: 'HEAD', path: /\/manifests\//, warm: true, fault: { kind: 'status', status: 503 }, tries: 3, line: /HEAD \S+\/manifests\/\S+: 503 .*\(tried 3 times\)$/m },
  { name: 'a manifest GET answered 401', side: 'source', method: 'GET', path: /\/manifests\/v1\.0\.0/, fault: { kind: 'status', status: 401 }, tries: 1, line: /GET \S+\/manifests\/v1\.0\.0: unauthorized/ },
  { name: 'a blob GET answered 404', side: 'source', method: 'GET', path: /\/blobs\/sha256:/, fault: { kind: 'status', status: 404 }, tries: 1, line: /GET \S+\/blobs\/sha256:\w+: not found/ },
];
for (const { name, side, method, path, fault, line, tries, warm } of cases) {
  test(`${name} every time: the line says ${tries === 1 ? 'nothing of tries' : `it was tried ${tries} times`}`, async () => {
    const { src, dst } = bed;
    const behind = side === 'source' ? src : dst;
    const proxy = await startFaultProxy(behind.url);
    after(() => proxy.close());
    const target = name.toLowerCase().replace(/\W+/g, '-');
    const yaml = `version: 1\ndefaults:\n  targets: [${dst.host}/${target}]\n${registriesYaml([[src, { maxAttempts: 3 }], [dst, { maxAttempts: 3 }]])}images:\n  - source: ${src.host}/tries/app\n`;
    const config = await writeConfig(await scratchDir('get-tries'), yaml);
    const sync = () => runCli(['sync', '-c', config, '--endpoint', `${behind.host}=${proxy.url}`, '--no-progress']);
    // A tag already mirrored: the run asks the source for its digest with a HEAD.
    if (warm) assert.equal((await sync()).exitCode, 0);
    proxy.inject({ method, path, times: Infinity, fault });
    const run = await sync();
    assert.notEqual(run.exitCode, 0, run.stdout + run.stderr);
    assert.match(run.stdout, line, run.stderr);
    const said = run.stdout + run.stderr;
    if (tries === 1) assert.doesNotMatch(said, /tried/, said);
    else for (const l of said.split('\n')) assert.ok(l.split(TRIED).length <= 2, `said twice: ${l}`);
    if (tries === 1) return;
    // Each request was sent as often as the line says.
    const sent = new Map<string, number>();
    for (const e of proxy.stats.log.filter((x) => x.method === method && path.test(x.path))) sent.set(e.path, (sent.get(e.path) ?? 0) + 1);
    assert.ok(sent.size > 0, 'the fault was met');
    for (const [what, n] of sent) assert.equal(n, tries, `${what}: ${n} requests`);
  });
}
