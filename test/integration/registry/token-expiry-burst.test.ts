// A token service that says nothing of a token's lifetime (no expires_in: the spec's default of
// 60 s is assumed) while its tokens really die after 3 s, as after a key rotation or a shorter
// policy. Every request in flight then comes back 401 at once, and each one skipped the cache to
// fetch a token of its own: a burst of token requests (one per request in flight) at every expiry,
// 28 for a 24-tag sync where 4 do. The first 401 renews; the rest take its renewal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy, Personality } from '../../harness/fault-proxy.js';
import { oneMirrorYaml, proxyFor } from '../../harness/tls-bed.js';
import { tokenExpiry } from '../../harness/personalities/token-expiry.js';
import { passOn } from '../../harness/personalities/upstream-reply.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { adminPush, skopeoCreds } from '../reliability/helpers.js';
import { scratchDir } from '../../harness/scratch.js';

// The token service's answer with `expires_in` left out (and every request counted).
let tokenRequests = 0;
const silentLifetime: Personality = async (ex) => {
  tokenRequests++;
  const reply = await ex.fetch(ex.method, ex.path, passOn(ex));
  const { token } = JSON.parse(reply.body.toString('utf8')) as { token: string };
  const body = Buffer.from(JSON.stringify({ token }));
  ex.entry.status = reply.status;
  ex.res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': body.byteLength }).end(body);
  return true;
};

// Tokens die 3 s after issue (no leeway); each upload PUT takes 1.5 s, so the run spans several deaths.
const strict = tokenExpiry(1500, 0);
let src: RunningRegistry;
let dst: RunningRegistry;
let proxy: FaultProxy;
let dir: string;
let images: SeededImage[];

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ auth: 'token', tls: true, expiresIn: 3, realmPersonalities: [silentLifetime] })]);
  proxy = await proxyFor(dst, { personalities: [strict.play] });
  dir = await scratchDir('token-expiry-burst');
  const tags = Array.from({ length: 16 }, (_, i) => `v1.${i}.0`);
  images = await seedImage(adminPush(src), { repository: 'jetstack/app', tags, format: 'oci', platforms: 2, layerBytes: 4096 });
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('tokens that die early are renewed once per death, not once per request in flight', { timeout: 120_000 }, async () => {
  const file = await writeConfig(dir, oneMirrorYaml(src, [dst, { credentials: '{ usernameEnv: DST_USER, passwordEnv: DST_PASS }' }], 'jetstack/app', 'cert-manager'));
  const started = Date.now();
  const run = await runCli(['sync', '-c', file, '--concurrency', '8', '--endpoint', `${dst.host}=${proxy.url}`], { env: { DST_USER: 'admin', DST_PASS: dst.users.admin! }, timeoutMs: 110_000 });
  const seconds = (Date.now() - started) / 1000;
  console.log(`# ${tokenRequests} token requests in ${seconds} s; ${strict.stats.expired} requests refused an expired token`);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(strict.stats.expired > 0, 'tokens died during the run');
  // One token, then at most one renewal per death (every 3 s), plus one of slack.
  assert.ok(tokenRequests <= 2 + Math.ceil(seconds / 3), `${tokenRequests} token requests in ${seconds} s`);
  for (const image of [images[0]!, images.at(-1)!]) {
    assert.equal(await skopeoDigest(`${dst.host}/cert-manager/app:${image.tag}`, skopeoCreds(dst)), image.digest);
  }
});
