// A registry whose /v2/ asks for Basic while its repositories ask for a bearer token (tokens4
// hunt): the auth layer kept the ping's Basic for the host, so every request went out twice, each
// refusal fetching a token of its own, and a layer over 4 MiB, whose streamed PUT cannot be
// replayed, was refused at every try: the tag failed 'PUT …: unauthorized', exit 1, at each rerun.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry } from '../../harness/registry.js';
import { DST_CREDENTIALS, oneMirrorYaml, proxyFor } from '../../harness/tls-bed.js';
import { basicPing } from '../../harness/personalities/basic-ping.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { digestDifferences } from '../reliability/helpers.js';
import { MiB, open, seedLarge } from './fixtures.js';

describe('Basic at /v2/, Bearer for repositories', () => {
  it('takes the repositories\' challenge for the host: a large layer copied, one token per scope, nothing refused after', { timeout: 180_000 }, async () => {
    const [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true, auth: 'token' })]);
    after(() => Promise.all([destroyRegistry(src), destroyRegistry(dst)]));
    const proxy = await proxyFor(dst, { personalities: [basicPing()] });
    after(() => proxy.close());
    await seedLarge(open(src), 'jetstack/big', ['v1.0.0', 'v1.0.1'], 6 * MiB);
    const dir = await scratchDir('basic-ping');
    const config = await writeConfig(dir, oneMirrorYaml(src, [dst, DST_CREDENTIALS], 'jetstack/big'));
    const run = await runCli(['sync', '-c', config, '--endpoint', `${dst.host}=${proxy.url}`, '--no-progress'], { env: { DST_USER: 'admin', DST_PASS: dst.users.admin } });
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    // Requests sent before the first repository's 401 came back go with Basic once; none after.
    const refusedUploads = proxy.stats.log.filter((e) => e.status === 401 && (e.method === 'PUT' || e.method === 'PATCH'));
    assert.deepEqual(refusedUploads, [], 'no upload was sent with Basic to be refused');
    assert.ok(dst.tokenServer!.issued <= 2, `one token for mirror/big (and none per request): ${dst.tokenServer!.issued} issued`);
    const { checked, wrong } = await digestDifferences(src, 'jetstack/big', [[dst, 'mirror/big']]);
    assert.deepEqual(wrong, []);
    assert.equal(checked, 2);
  });
});
