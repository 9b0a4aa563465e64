// A proxy in front of the target that gets upload locations wrong, so every session the registry
// opens is placed where no request reaches it; regmirror said so in one clear line, but went on
// opening sessions: each blob's upload was started again maxAttempts times, with pauses between.
// - One that ends TLS without saying so: the registry names its sessions on http://
//   (goharbor/harbor#6405): 23 s and 2,860 POSTs for 130 small tags, for nothing.
// - One that passes the registry its name without the port (nginx's `proxy_set_header Host
//   $host`): the registry names its sessions on https://host/v2/…, port 443, where nothing
//   listens: 23 s, 2,860 POSTs and 1,300 HEADs for 130 small tags.
// - One that names the registry's internal address, another host name that does not resolve
//   from where regmirror runs: 25 s, 400 POSTs and 440 HEADs for 40 small tags; or another name
//   that resolves, at a registry that asks for credentials, which go to its own origin only.
// All are now lasting failures, like a refused certificate: one session per blob, each tag failed
// at once with the line that says what to set, nothing written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { Personality } from '../../harness/fault-proxy.js';
import { tlsEndingProxy } from '../../harness/personalities/tls-ending.js';
import { hostRenamingProxy, portDroppingProxy } from '../../harness/personalities/upload-location.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { mirrorsYaml, open } from './fixtures.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';

/** Whether a connection to 127.0.0.1:443 is refused (the port-dropping test counts on nothing listening there). */
function refused443(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(443, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(false); });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('a proxy that gets upload locations wrong', () => {
  let src: RunningRegistry;
  let dst: RunningRegistry;
  before(async () => {
    [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  });
  after(async () => {
    await Promise.all([destroyRegistry(src), destroyRegistry(dst)]);
  });

  /** Three tags of `repository` synced through a proxy with `personality`; each must fail alone, nothing written. */
  async function syncBehind(repository: string, personality: (stats: { sessions: number }) => Personality) {
    const images = await seedImage(open(src), { repository, tags: ['v1', 'v2', 'v3'], format: 'oci', single: true });
    const blobs = new Set(images.flatMap((i) => i.blobDigests)).size;
    const stats = { sessions: 0 };
    const proxy = await proxyFor(dst, { personalities: [personality(stats)] });
    after(() => proxy.close());
    const config = await writeConfig(await scratchDir('upload-location'), mirrorsYaml(src, dst, 'mirror', [repository]));
    const run = await runCli(['sync', '-c', config, '--endpoint', `${dst.host}=${proxy.url}`, '--no-progress']);
    assert.equal(run.exitCode, 1, run.stderr + run.stdout);
    assert.equal((run.stderr.match(/→ .*: failed — /g) ?? []).length, 3, run.stderr);
    assert.ok(stats.sessions <= blobs, `${stats.sessions} upload sessions for ${blobs} blobs: each was started again though it could only fail the same way`);
    assert.deepEqual(proxy.stats.log.filter((e) => e.method === 'PUT' && /\/manifests\//.test(e.path)), [], 'no manifest written');
    return { run, proxy };
  }

  it('ending TLS without saying so (http://): one session per blob, every tag failed with the line that says what to set', async () => {
    const { run } = await syncBehind('harbor/app', tlsEndingProxy);
    assert.match(run.stderr, new RegExp(`upload location ${dst.host} gave, on plain http:// although ${dst.host} is reached over https://: .*X-Forwarded-Proto`));
  });

  it('dropping the port (Host without it): one session per blob, every tag failed with the line that says what to set', async () => {
    assert.ok(await refused443(), 'something listens on 127.0.0.1:443, where this test needs connections refused');
    const { run, proxy } = await syncBehind('nginx/app', portDroppingProxy);
    const port = new URL(proxy.url).port;
    assert.match(run.stderr, new RegExp(`unreachable: PUT https://127\\.0\\.0\\.1/v2/mirror/app/blobs/uploads/\\S+: nothing accepts connections .*; that is the upload location ${dst.host} gave, on port 443 although ${dst.host} is reached on port ${port}: .*proxy_set_header Host \\$http_host`));
  });

  // An ingress naming the registry's internal address (a name only its own network resolves):
  // each blob's upload was started again maxAttempts times (3 tags: 10 sessions for 2 blobs...).
  it('naming another host that does not resolve: one session per blob, every tag failed with the line that says what to set', async () => {
    const { run } = await syncBehind('ingress/app', hostRenamingProxy('registry.internal.invalid'));
    assert.match(run.stderr, new RegExp(`unreachable: PUT https://registry\\.internal\\.invalid:\\d+/v2/mirror/app/blobs/uploads/\\S+: no such host name \\(ENOTFOUND\\); that is the upload location ${dst.host} gave, on another host: .*proxy_set_header Host \\$http_host`));
  });

  // The same proxy naming the sessions of a registry that asks for credentials on a name that
  // resolves (localhost for 127.0.0.1): regmirror sends the registry's credentials to its own
  // origin only, so each PUT there was answered 401 and the line read as if they were wrong
  // ('PUT https://localhost:PORT/…: unauthorized (UNAUTHORIZED: authentication required)'), each
  // blob's upload started again maxAttempts times.
  it('naming another host, at a registry that asks for credentials: one session per blob, the line says none are sent there', async () => {
    const locked = await startRegistry({ tls: true, auth: 'htpasswd' });
    after(() => destroyRegistry(locked));
    const images = await seedImage(open(src), { repository: 'locked/app', tags: ['v1', 'v2', 'v3'], format: 'oci', single: true });
    const blobs = new Set(images.flatMap((i) => i.blobDigests)).size;
    const stats = { sessions: 0 };
    const proxy = await proxyFor(locked, { personalities: [hostRenamingProxy('localhost')(stats)] });
    after(() => proxy.close());
    const [[user, password]] = Object.entries(locked.users) as [[string, string]];
    const config = await writeConfig(await scratchDir('upload-location'), `version: 1
defaults:
  targets: [${locked.host}/mirror]
${registriesYaml([[src, { maxAttempts: 3 }], [locked, { maxAttempts: 3, credentials: '{ usernameEnv: U, passwordEnv: P }' }]])}images:
  - source: ${src.host}/locked/app
`);
    const run = await runCli(['sync', '-c', config, '--endpoint', `${locked.host}=${proxy.url}`, '--no-progress'], { env: { U: user, P: password } });
    assert.equal(run.exitCode, 1, run.stderr + run.stdout);
    assert.equal((run.stderr.match(/→ .*: failed — /g) ?? []).length, 3, run.stderr);
    assert.ok(stats.sessions <= blobs, `${stats.sessions} upload sessions for ${blobs} blobs`);
    const port = new URL(proxy.url).port;
    assert.match(run.stderr, new RegExp(`PUT https://localhost:${port}/v2/mirror/app/blobs/uploads/\\S+: 401 Unauthorized there, where regmirror sends no credentials of ${locked.host}; that is the upload location ${locked.host} gave, on another host: .*proxy_set_header Host \\$http_host`));
    assert.doesNotMatch(run.stderr + run.stdout, new RegExp(password));
  });
});
