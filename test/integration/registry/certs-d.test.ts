// A private registry trusted the way skopeo, podman and docker trust it: a certs.d directory named
// after the host (ca.crt, and client.cert + client.key when it asks for a client certificate,
// distribution's http.tls.clientcas). skopeo copied from and to it; regmirror said "it asks for a
// client certificate (mutual TLS), which regmirror does not present" and could not reach it, and
// `engine: skopeo` lost the directory's client certificate whenever a caFile was set (the
// --dest-cert-dir regmirror passed replaces skopeo's certs.d lookup). REGMIRROR_CERTS_D points
// the lookup at a temp directory instead of /etc.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { execa } from 'execa';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { makeCa, signCert, testCerts } from '../../harness/tls.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';

let source: RunningRegistry;
let target: RunningRegistry; // asks for a client certificate
let dir: string;
let image: SeededImage;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true, clientCerts: true })]);
  dir = await scratchDir('certs-d');
  [image] = await seedImage({ url: source.url }, { repository: 'team/app', tags: ['v1.0.0'], single: true, format: 'oci' }) as [SeededImage];
});

after(async () => {
  await Promise.all([source, target].map((r) => r && destroyRegistry(r)));
});

/** Two certs.d roots, and the target's directory in the second with `files` (name → source file); none when no files. */
async function certsD(name: string, files: Record<string, string>): Promise<{ roots: string; hostDir: string }> {
  const [first, second] = [join(dir, name, 'home'), join(dir, name, 'etc')];
  const hostDir = join(second, target.host);
  await mkdir(first, { recursive: true });
  await mkdir(Object.keys(files).length > 0 ? hostDir : second, { recursive: true });
  for (const [to, from] of Object.entries(files)) await copyFile(from, join(hostDir, to));
  return { roots: `${first}:${second}`, hostDir };
}

/** Runs `args` on a mirrors.yaml from the source to the target (`tls: verify`, or its caFile), with the lookup in `roots`. */
async function run(name: string, roots: string, args: string[], targetCa = false) {
  const file = await writeConfig(join(dir, name), oneMirrorYaml(source, [{ host: target.host, ...(targetCa ? { caFile: target.caFile } : {}) }, targetCa ? {} : { tls: 'verify' }], 'team/app'));
  return runCli([...args, '-c', file, '--no-progress'], { env: { REGMIRROR_CERTS_D: roots } });
}

test('no certs.d directory: the untrusted line says where a ca.crt would be read, and the mutual-TLS line where the client certificate goes', async () => {
  const { roots } = await certsD('none', {});
  const untrusted = await run('none', roots, ['plan']);
  assert.equal(untrusted.exitCode, 3, untrusted.stderr + untrusted.stdout);
  assert.match(untrusted.stderr, new RegExp(`${target.host}: its TLS certificate is not trusted .*as \`caFile\` under registries: ${target.host} \\(or as ca.crt in ${join(dir, 'none', 'home', target.host)}, where skopeo and podman read it too\\)`));
  const mtls = await run('none-ca', roots, ['plan'], true);
  assert.equal(mtls.exitCode, 3, mtls.stderr + mtls.stdout);
  assert.match(mtls.stderr, new RegExp(`${target.host}: it refused the TLS handshake \\(\\w+\\): it asks for a client certificate \\(mutual TLS\\): put it and its key as client.cert and client.key in ${join(dir, 'none', 'home', target.host)}.*regmirror looked in ${join(dir, 'none', 'home', target.host)}, ${join(dir, 'none', 'etc', target.host)}`));
  assert.doesNotMatch(mtls.stderr, /\n\s+at /, 'no stack trace');
});

test('certs.d with the CA only: the mutual-TLS line names that directory', async () => {
  const certs = await testCerts();
  const { roots, hostDir } = await certsD('ca-only', { 'ca.crt': certs.caFile });
  const plan = await run('ca-only', roots, ['plan']);
  assert.equal(plan.exitCode, 3, plan.stderr + plan.stdout);
  assert.match(plan.stderr, new RegExp(`asks for a client certificate \\(mutual TLS\\): put it and its key as client.cert and client.key in ${hostDir}, where regmirror read the registry's CAs`));
});

test('certs.d with the CA and a client certificate: native sync and verify reach the registry; skopeo agrees on the digest', async () => {
  const certs = await testCerts();
  const { roots, hostDir } = await certsD('native', { 'ca.crt': certs.caFile, 'client.cert': certs.client.cert, 'client.key': certs.client.key });
  const sync = await run('native', roots, ['sync']);
  assert.equal(sync.exitCode, 0, sync.stderr + sync.stdout);
  const verify = await run('native', roots, ['verify']);
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
  assert.equal(await skopeoDigestVerified(`${target.host}/mirror/app:v1.0.0`, hostDir), image.digest);
});

test('engine: skopeo with a caFile and the client certificate in certs.d: the copy presents it too', async () => {
  const certs = await testCerts();
  const { roots, hostDir } = await certsD('skopeo', { 'client.cert': certs.client.cert, 'client.key': certs.client.key });
  const file = await writeConfig(join(dir, 'skopeo'), oneMirrorYaml(source, target, 'team/app', 'by-skopeo'));
  const sync = await runCli(['sync', '-c', file, '--no-progress', '--engine', 'skopeo'], { env: { REGMIRROR_CERTS_D: roots } });
  assert.equal(sync.exitCode, 0, sync.stderr + sync.stdout);
  await copyFile(certs.caFile, join(hostDir, 'ca.crt'));
  assert.equal(await skopeoDigestVerified(`${target.host}/by-skopeo/app:v1.0.0`, hostDir), image.digest);
});

test('an expired client certificate in certs.d: the line says it expired, and when', async () => {
  const certs = await testCerts();
  const { roots, hostDir } = await certsD('expired-client', { 'ca.crt': certs.caFile, 'client.cert': certs.expiredClient.cert, 'client.key': certs.expiredClient.key });
  const plan = await run('expired-client', roots, ['plan']);
  assert.equal(plan.exitCode, 3, plan.stderr + plan.stdout);
  assert.match(plan.stderr, new RegExp(`${target.host}: it refused the TLS handshake \\(\\w+\\): it asks for a client certificate \\(mutual TLS\\) and refused ${join(hostDir, 'client.cert')}, which regmirror presented and which expired on \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z: put a renewed one there with its key`));
  assert.doesNotMatch(plan.stderr, /the registry must accept it/);
});

test('a registry trusted by certs.d whose token service has a CA of its own: the line says to put that CA in the same directory, which then works', async () => {
  const tok = await startRegistry({ auth: 'token', tls: true, realmTls: 'selfSigned' });
  try {
    const certs = await testCerts();
    const roots = join(dir, 'realm-ca');
    const hostDir = join(roots, tok.host);
    await mkdir(hostDir, { recursive: true });
    await copyFile(certs.caFile, join(hostDir, 'ca.crt'));
    const file = await writeConfig(join(dir, 'realm-ca-config'), oneMirrorYaml(source, [{ host: tok.host }, { tls: 'verify', credentials: '{ usernameEnv: U, passwordEnv: P }' }], 'team/app'));
    const env = { REGMIRROR_CERTS_D: roots, U: 'admin', P: tok.users.admin! };
    const plan = await runCli(['plan', '-c', file, '--no-progress'], { env });
    assert.equal(plan.exitCode, 3, plan.stderr + plan.stdout);
    assert.match(plan.stderr, new RegExp(`its token service ${tok.tokenServer!.realm.replace(/\/token$/, '')} .*not trusted \\(DEPTH_ZERO_SELF_SIGNED_CERT\\): add that self-signed certificate itself as a \\.crt file in ${hostDir}, beside the registry's own CA there`));
    assert.doesNotMatch(plan.stderr, /to the `caFile` there/);
    await copyFile(certs.servers.selfSigned.cert, join(hostDir, 'realm.crt'));
    const again = await runCli(['plan', '-c', file, '--no-progress'], { env });
    assert.equal(again.exitCode, 0, again.stderr + again.stdout);
  } finally {
    await destroyRegistry(tok);
  }
});

test('a client key under a passphrase: a usage error naming the file and how to take the passphrase off, before any request', async () => {
  const certs = await testCerts();
  const { roots, hostDir } = await certsD('encrypted-key', { 'ca.crt': certs.caFile, 'client.cert': certs.client.cert });
  await execa('openssl', ['ec', '-in', certs.client.key, '-aes256', '-passout', 'pass:not-asked', '-out', join(hostDir, 'client.key')], { stdin: 'ignore' });
  const plan = await run('encrypted-key', roots, ['plan']);
  assert.equal(plan.exitCode, 2, plan.stderr + plan.stdout);
  assert.match(plan.stderr, new RegExp(`certs.d for ${target.host}: ${join(hostDir, 'client.key')} is encrypted \\(a passphrase\\), which regmirror, as skopeo, cannot read: write it out without one \\(openssl pkey -in client.key -out client.key.new, then put that in its place\\)`));
  assert.doesNotMatch(plan.stderr, /do not make a pair/);
});

test('a client key without its certificate is a usage error naming the file, before any request', async () => {
  const certs = await testCerts();
  const { roots, hostDir } = await certsD('key-alone', { 'ca.crt': certs.caFile, 'client.key': certs.client.key });
  const plan = await run('key-alone', roots, ['plan']);
  assert.equal(plan.exitCode, 2, plan.stderr + plan.stdout);
  assert.match(plan.stderr, new RegExp(`certs.d for ${target.host}: ${join(hostDir, 'client.key')} has no client.cert beside it`));
});

// newuser2 hunt: client-certificate mistakes beyond the dates. A certificate issued for servers
// only, or by a CA the registry's clientcas lacks, read alike ('the registry must accept it'); a
// certificate and key under each other's names read 'do not make a pair (… no start line): put that
// certificate's own key beside it'.
test('a client certificate issued for servers only: the line says it lacks clientAuth, not that the registry must accept it', async () => {
  const certs = await testCerts();
  const made = await scratchDir('server-only-client');
  const serverOnly = await signCert(made, { cert: certs.caFile, key: join(certs.dir, 'ca.key') }, 'server-only', '', '2', 'extendedKeyUsage=serverAuth');
  const { roots, hostDir } = await certsD('server-only-client', { 'ca.crt': certs.caFile, 'client.cert': serverOnly.cert, 'client.key': serverOnly.key });
  const plan = await run('server-only-client', roots, ['plan']);
  assert.equal(plan.exitCode, 3, plan.stderr + plan.stdout);
  assert.ok(plan.stderr.includes(`and refused ${join(hostDir, 'client.cert')}, which regmirror presented and which is not issued for client authentication (its extended key usage lacks clientAuth: serverAuth only, a server's certificate): put there one issued with extendedKeyUsage=clientAuth, with its key`), plan.stderr);
});

test('a client certificate from a CA the registry does not accept: the line names its issuer', async () => {
  const certs = await testCerts();
  const made = await scratchDir('other-ca-client');
  const otherCa = await makeCa(made, 'another team CA');
  const client = await signCert(made, otherCa, 'other-client', '', '2', 'extendedKeyUsage=clientAuth');
  const { roots, hostDir } = await certsD('other-ca-client', { 'ca.crt': certs.caFile, 'client.cert': client.cert, 'client.key': client.key });
  const plan = await run('other-ca-client', roots, ['plan']);
  assert.equal(plan.exitCode, 3, plan.stderr + plan.stdout);
  assert.ok(plan.stderr.includes(`and refused ${join(hostDir, 'client.cert')}, which regmirror presented, issued by CN=another team CA: the registry must accept it (distribution: http.tls.clientcas holds the CA that issued it)`), plan.stderr);
});

test('a client certificate and key under each other\'s names: said to be swapped, exit 2 before any request', async () => {
  const certs = await testCerts();
  const { roots, hostDir } = await certsD('swapped-client', { 'ca.crt': certs.caFile, 'client.cert': certs.client.key, 'client.key': certs.client.cert });
  const plan = await run('swapped-client', roots, ['plan']);
  assert.equal(plan.exitCode, 2, plan.stderr + plan.stdout);
  assert.equal(plan.stderr.trim(), `regmirror: certs.d for ${target.host}: ${join(hostDir, 'client.cert')} holds a private key and ${join(hostDir, 'client.key')} a certificate: the two are swapped; exchange their names (the certificate is the .cert, its key the .key)`);
});
