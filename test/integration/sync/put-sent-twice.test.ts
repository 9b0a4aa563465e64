// A blob's PUT sent twice: its first send completed the upload, and the answer that came back is
// the one to the second, 404 BLOB_UPLOAD_UNKNOWN for the session that first send closed. It
// happens where an HTTP/2 GOAWAY takes a PUT's answer and the request is sent again on a new
// connection (nginx's keepalive_requests, personalities/nginx-goaway). The proxy here plays it for
// the first blob PUT: it forwards the PUT, which the registry stores, and answers the 404. The
// copier asks the target by HEAD before it sends a failed upload's bytes again
// (copy/upload-failures.ts landedAnyway): the blob is found in place, its bytes go once, and
// nothing counts as a retry.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy, Personality } from '../../harness/fault-proxy.js';
import { passOn, relay } from '../../harness/personalities/upstream-reply.js';
import { oneMirrorYaml, proxyFor } from '../../harness/tls-bed.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let pDst: FaultProxy;
let image: SeededImage;
/** The blob whose PUT the registry took and whose answer the client never saw. */
let lostDigest: string | undefined;

const BLOB_PUT = /\/blobs\/uploads\/[^?]+\?(?:.*&)?digest=(sha256(?::|%3A)[0-9a-f]{64})/i;
const answerFirstPutTwice: Personality = async (ex) => {
  const m = ex.method === 'PUT' ? BLOB_PUT.exec(ex.path) : null;
  if (!m || lostDigest !== undefined) return false;
  const body = await ex.readBody();
  const reply = await ex.fetch('PUT', ex.path, { ...passOn(ex), 'content-length': String(body.byteLength) }, body);
  if (reply.status !== 201) {
    relay(ex, reply);
    return true;
  }
  lostDigest = decodeURIComponent(m[1]!);
  ex.fail(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
  return true;
};

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  pDst = await proxyFor(dst, { personalities: [answerFirstPutTwice] });
  [image] = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 }) as [SeededImage];
});

after(async () => {
  await pDst?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('a blob PUT answered BLOB_UPLOAD_UNKNOWN after it landed is found in place by HEAD, its bytes not sent again', async () => {
  const dir = await scratchDir('put-sent-twice');
  const config = await writeConfig(dir, oneMirrorYaml(src, dst, 'jetstack/app'));
  const run = await runCli(['sync', '-c', config, '-v', '--endpoint', `${dst.host}=${pDst.url}`]);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.ok(lostDigest, 'the proxy took a blob PUT');
  const putsOfLost = pDst.stats.log.filter((e) => e.method === 'PUT' && e.path.includes(encodeURIComponent(lostDigest!)));
  assert.equal(putsOfLost.length, 1, `the blob's bytes went once: ${putsOfLost.map((e) => `${e.status}`).join(', ')}`);
  const heads = pDst.stats.log.filter((e) => e.method === 'HEAD' && e.path.endsWith(`/blobs/${lostDigest}`));
  assert.deepEqual(heads.map((e) => e.status), [200], 'asked once, and found');
  assert.match(run.stderr, /debug: \d+ requests \(.*\), 0 retries/);
  assert.equal(await skopeoDigestVerified(`${dst.host}/mirror/app:v1.0.0`, dst.certDir!), image.digest);
});
