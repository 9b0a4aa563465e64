// engine: skopeo against real registries: htpasswd source → token-auth target, digests checked by
// skopeo itself as the second opinion; credentials must reach skopeo only through the auth file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Credential, CredentialProvider } from '../../../src/registry/credentials.js';
import { SkopeoEngine, type SkopeoCopyRequest } from '../../../src/engines/skopeo.js';
import { AbortedError, AuthError, CopyError, UsageError } from '../../../src/types/errors.js';
import type { RepositoryRef } from '../../../src/types/reference.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registrySettings } from '../../harness/tls-bed.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const ADMIN = 'admin';
const PASSWORD = 's3cret-admin';
const DEST_CREDS = { creds: `${ADMIN}:${PASSWORD}` };

function repo(reg: RunningRegistry, repository: string): RepositoryRef {
  return { scheme: 'registry', registry: reg.host, repository };
}

function provider(byHost: Record<string, Credential>): CredentialProvider {
  return async (host) => byHost[host];
}

describe('SkopeoEngine', () => {
  let source: RunningRegistry;
  let target: RunningRegistry;
  let work: string;
  let argvLog: string;
  let wrapper: string;
  let images: SeededImage[];
  let ociImage: SeededImage;
  const creds = () => provider({ [source.host]: { username: ADMIN, password: PASSWORD }, [target.host]: { username: ADMIN, password: PASSWORD } });

  before(async () => {
    [source, target] = await Promise.all([startRegistry({ auth: 'htpasswd', tls: true }), startRegistry({ auth: 'token', refreshTokens: { 'refresh-token-1': ADMIN } })]);
    const push = { url: source.url, auth: { username: ADMIN, password: PASSWORD } };
    images = await seedImage(push, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'docker', platforms: 5, signature: true });
    ociImage = (await seedImage(push, { repository: 'jetstack/oci-app', tags: ['v2.0.0'], format: 'oci', platforms: 2 }))[0]!;
    work = await scratchDir('skopeo-engine');
    // A wrapper that records skopeo's argv and its auth files' content before running it.
    argvLog = join(work, 'argv.log');
    wrapper = join(work, 'skopeo-wrapper.sh');
    await writeFile(wrapper, `#!/bin/sh\nprintf '%s\\n' "$@" >> '${argvLog}'\nexec skopeo "$@"\n`);
    await chmod(wrapper, 0o755);
  });
  after(async () => {
    await Promise.all([destroyRegistry(source), destroyRegistry(target)]);
    await rm(work, { recursive: true, force: true });
  });

  it('copies a 5-platform index to a token registry with the same digest, credentials only in a 0600 auth file', async () => {
    const engine = new SkopeoEngine({ registries: registrySettings([source, target]), credentials: creds(), binary: wrapper });
    await engine.available();
    const image = images[0]!;
    await engine.copy({ source: repo(source, 'jetstack/app'), target: repo(target, 'cert-manager/app'), tag: image.tag, digest: image.digest });
    assert.equal(await skopeoDigest(`${target.host}/cert-manager/app:${image.tag}`, DEST_CREDS), image.digest);

    const argv = (await readFile(argvLog, 'utf8')).split('\n');
    assert.ok(!argv.some((a) => a.includes(PASSWORD) || a.includes(Buffer.from(`${ADMIN}:${PASSWORD}`).toString('base64'))), 'no secret in argv');
    const authFiles = argv.filter((_, i) => argv[i - 1] === '--src-authfile' || argv[i - 1] === '--dest-authfile');
    assert.equal(authFiles.length, 2);
    for (const file of authFiles) assert.equal((await stat(file)).mode & 0o777, 0o600);
    await engine.close();
    for (const file of authFiles) await assert.rejects(stat(file), { code: 'ENOENT' }, 'auth file removed by close()');
  });

  it('copies a cosign signature tag, and pins the source digest even when asked under another tag', async () => {
    const engine = new SkopeoEngine({ registries: registrySettings([source, target]), credentials: creds() });
    try {
      const [v1, v2] = images as [SeededImage, SeededImage];
      const [sigTag, sigDigest] = Object.entries(v1.referrerTags)[0]!;
      await engine.copy({ source: repo(source, 'jetstack/app'), target: repo(target, 'cert-manager/app'), tag: sigTag, digest: sigDigest });
      assert.equal(await skopeoDigest(`${target.host}/cert-manager/app:${sigTag}`, DEST_CREDS), sigDigest);
      // v1.1.0 "retagged" since planning: the plan's digest (v1.0.0's) is what lands.
      await engine.copy({ source: repo(source, 'jetstack/app'), target: repo(target, 'cert-manager/pinned'), tag: v2.tag, digest: v1.digest });
      assert.equal(await skopeoDigest(`${target.host}/cert-manager/pinned:${v2.tag}`, DEST_CREDS), v1.digest);
    } finally {
      await engine.close();
    }
  });

  it('reaches a registry through an endpoint override with the logical host\'s identity token', async () => {
    const engine = new SkopeoEngine({
      credentials: provider({ [source.host]: { username: ADMIN, password: PASSWORD }, 'ghcr.example': { identityToken: 'refresh-token-1' } }),
      endpoints: new Map([['ghcr.example', target.url]]),
    });
    try {
      const image = images[1]!;
      const logical: RepositoryRef = { scheme: 'registry', registry: 'ghcr.example', repository: 'cert-manager/via-endpoint' };
      await engine.copy({ source: repo(source, 'jetstack/app'), target: logical, tag: image.tag, digest: image.digest });
      assert.equal(await skopeoDigest(`${target.host}/cert-manager/via-endpoint:${image.tag}`, DEST_CREDS), image.digest);
    } finally {
      await engine.close();
    }
  });

  it('round-trips through an OCI layout, refusing a layout tag that moved off the pinned digest', async () => {
    const engine = new SkopeoEngine({ registries: registrySettings([source, target]), credentials: creds() });
    try {
      const layout: RepositoryRef = { scheme: 'oci', dir: join(work, 'layout', 'oci-app') };
      const base = { tag: ociImage.tag, digest: ociImage.digest };
      await engine.copy({ ...base, source: repo(source, 'jetstack/oci-app'), target: layout });
      await engine.copy({ ...base, source: layout, target: repo(target, 'cert-manager/oci-app') });
      assert.equal(await skopeoDigest(`${target.host}/cert-manager/oci-app:${ociImage.tag}`, DEST_CREDS), ociImage.digest);
      const moved = engine.copy({ ...base, digest: images[0]!.digest, source: layout, target: repo(target, 'cert-manager/moved') });
      await assert.rejects(moved, (err) => err instanceof CopyError && err.origin === 'source');
    } finally {
      await engine.close();
    }
  });

  it('a wrong password is a CopyError naming the side, without the password', async () => {
    const wrong = 'wrong-pa55word-xyz';
    const engine = new SkopeoEngine({ registries: registrySettings([source, target]), credentials: provider({ [source.host]: { username: ADMIN, password: wrong }, [target.host]: { username: ADMIN, password: PASSWORD } }) });
    try {
      const image = images[0]!;
      const req: SkopeoCopyRequest = { source: repo(source, 'jetstack/app'), target: repo(target, 'cert-manager/denied'), tag: image.tag, digest: image.digest };
      await assert.rejects(engine.copy(req), (err: unknown) => {
        assert.ok(err instanceof CopyError, String(err));
        assert.equal(err.origin, 'source');
        assert.ok(err.cause instanceof AuthError, String(err.cause));
        assert.ok(!err.message.includes(wrong) && !err.message.includes(Buffer.from(`${ADMIN}:${wrong}`).toString('base64')));
        assert.ok(!String((err.cause as Error).stack).includes(wrong));
        return true;
      });
    } finally {
      await engine.close();
    }
  });

  it('aborting a running copy ends skopeo with an AbortedError', async () => {
    // A skopeo that announces itself and then waits long enough to be interrupted.
    const started = join(work, 'slow-started');
    const slow = join(work, 'skopeo-slow.sh');
    await writeFile(slow, `#!/bin/sh\nif [ "$1" = copy ]; then touch '${started}'; sleep 60 >/dev/null 2>&1 </dev/null; fi\nexec skopeo "$@"\n`);
    await chmod(slow, 0o755);
    const engine = new SkopeoEngine({ registries: registrySettings([source, target]), credentials: creds(), binary: slow });
    try {
      const controller = new AbortController();
      const image = images[1]!;
      const copying = engine.copy({ source: repo(source, 'jetstack/app'), target: repo(target, 'cert-manager/aborted'), tag: image.tag, digest: image.digest, signal: controller.signal });
      while (!(await stat(started).then(() => true, () => false))) await new Promise((r) => setTimeout(r, 20));
      controller.abort();
      await assert.rejects(copying, AbortedError);
      await assert.rejects(engine.copy({ source: repo(source, 'jetstack/app'), target: repo(target, 'cert-manager/aborted'), tag: image.tag, digest: image.digest, signal: controller.signal }), AbortedError);
    } finally {
      await engine.close();
    }
  });

  it('a missing skopeo binary is a UsageError naming the package', async () => {
    const engine = new SkopeoEngine({ registries: registrySettings([source, target]), credentials: creds(), binary: join(work, 'no-such-skopeo') });
    await assert.rejects(engine.available(), (err) => err instanceof UsageError && /apt-get install skopeo/.test(err.message));
  });
});
