// Issue 9 (TLS): real registries served over HTTPS by the test CA. A registry trusted by `caFile`,
// by this machine's CA store (SSL_CERT_FILE) or `tls: insecure` is mirrored (skopeo checks the digests through the CA); an untrusted, a
// wrong-name and an expired certificate each end the run in one clear line, exit 3, no retries;
// a self-signed one says to trust that certificate itself, and then is; one whose intermediate the
// server does not send says to add it to caFile, and then is trusted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { makeCa, testCerts } from '../../harness/tls.js';

let source: RunningRegistry;
let target: RunningRegistry;
let dir: string;
let image: SeededImage;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('tls');
  [image] = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 }) as [SeededImage];
});

after(async () => {
  await Promise.all([source && destroyRegistry(source), target && destroyRegistry(target)]);
});

const config = (name: string, sourceHost: string, targetNs: string, registries: string) => writeConfig(join(dir, name), `version: 1
defaults:
  targets: [${targetNs}]
registries:
${registries}
images:
  - source: ${sourceHost}/jetstack/app
`);

test('a loopback registry with caFile is reached over HTTPS and trusted; skopeo (through the CA) agrees', async () => {
  const file = await config('cafile', source.host, `${target.host}/mirror`, `  ${source.host}: { caFile: ${source.caFile} }\n  ${target.host}: { caFile: ${target.caFile} }`);
  const run = await runCli(['sync', '-c', file, '-v', '--no-progress']);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.match(run.stderr, new RegExp(`GET https://${source.host}/v2/`), 'requests went out over HTTPS');
  assert.equal(await skopeoDigestVerified(`${target.host}/mirror/app:v1.0.0`, target.certDir!), image.digest);
});

test('tls: insecure reaches a TLS registry without verifying its certificate', async () => {
  const file = await config('insecure', source.host, `${target.host}/insecure`, `  ${source.host}: { tls: insecure }\n  ${target.host}: { tls: insecure }`);
  const run = await runCli(['sync', '-c', file, '--no-progress']);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.equal(await skopeoDigestVerified(`${target.host}/insecure/app:v1.0.0`, target.certDir!), image.digest);
});

test('tls: insecure beside a caFile: validate and the run warn once that the caFile is not used (naming the registry and the key), and the run works', async () => {
  const file = await config('insecure-ca', source.host, `${target.host}/insecure-ca`, `  ${source.host}: { caFile: ${source.caFile} }\n  ${target.host}:\n    tls: insecure\n    caFile: ${target.caFile}`);
  const warning = `warning: ${file}:6:3: registries.${target.host}: \`tls: insecure\` skips certificate verification, so its \`caFile\` (${target.caFile}) is not used for ${target.host} or its token service (only for downloads it redirects to another host): remove \`tls: insecure\` to verify with that CA, or remove the caFile`;
  const validate = await runCli(['validate', '-c', file]);
  assert.equal(validate.exitCode, 0, validate.stderr + validate.stdout);
  assert.deepEqual(validate.stderr.split('\n').filter((l) => l.startsWith('warning:')), [warning]);
  const run = await runCli(['sync', '-c', file, '--no-progress']);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  // One line for the host: the plain 'verification is off' is said by this one.
  assert.deepEqual(run.stderr.split('\n').filter((l) => l.startsWith('warning:') && l.includes(target.host)), [warning]);
  assert.equal(await skopeoDigestVerified(`${target.host}/insecure-ca/app:v1.0.0`, target.certDir!), image.digest);
});

test('a CA in this machine\'s store (SSL_CERT_FILE, as skopeo and every Go tool read it) is trusted without a caFile; skopeo agrees', async () => {
  const file = await config('system-store', source.host, `${target.host}/system-store`, `  ${source.host}: { tls: verify }\n  ${target.host}: { tls: verify }`);
  const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { SSL_CERT_FILE: source.caFile } });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.equal(await skopeoDigestVerified(`${target.host}/system-store/app:v1.0.0`, target.certDir!), image.digest);
});

/** Runs verify against `reg` with `tls: verify` and no CA; returns the run. */
async function verifyUntrusted(name: string, reg: RunningRegistry) {
  const file = await config(name, reg.host, `${reg.host}/mirror`, `  ${reg.host}: { tls: verify, maxAttempts: 5 }`);
  return runCli(['verify', '-c', file, '-v', '--no-progress']);
}

/** The lines a person reads (not -v's request log or stack). */
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => /certificate/.test(l) && !/^(\s+at |debug: )/.test(l));

test('tls: verify against a certificate no CA of ours signed: one clear line naming the host and the remedy, exit 3, no retry', async () => {
  const run = await verifyUntrusted('untrusted', source);
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  const lines = errorLines(run.stderr + run.stdout);
  assert.ok(lines.length >= 1, run.stderr);
  assert.match(lines[0]!, new RegExp(`${source.host}.*certificate is not trusted.*caFile.*tls: insecure`));
  const said = run.stderr.split('\n').filter((l) => l.startsWith('error: '));
  assert.equal(said.length, 1, 'said once on stderr, however many rows it failed');
  assert.match(said[0]!, new RegExp(`^error: ${source.host}: its TLS certificate is not trusted`));
  assert.match(run.stderr, /\b0 retries\b/, 'a certificate error is not retried');
  assert.doesNotMatch(run.stdout + run.stderr, /UNABLE_TO_VERIFY_LEAF_SIGNATURE: /, 'not the raw Node code as the message');
});

test('a certificate for another name: says the name does not match, exit 3, no retry', async () => {
  const wrong = await startRegistry({ tls: 'wrongName' });
  try {
    const file = await config('wrong-name', wrong.host, `${wrong.host}/mirror`, `  ${wrong.host}: { caFile: ${wrong.caFile} }`);
    const run = await runCli(['verify', '-c', file, '-v', '--no-progress']);
    assert.equal(run.exitCode, 3, run.stderr + run.stdout);
    assert.match(errorLines(run.stderr + run.stdout)[0] ?? '', new RegExp(`${wrong.host}: its TLS certificate does not match the name 127\\.0\\.0\\.1 \\(ERR_TLS_CERT_ALTNAME_INVALID; the certificate is for DNS:registry\\.example\\.com\\)`));
    assert.match(run.stderr, /\b0 retries\b/);
  } finally {
    await destroyRegistry(wrong);
  }
});

test('an expired certificate: says it expired, exit 3, no retry', async () => {
  const expired = await startRegistry({ tls: 'expired' });
  try {
    const file = await config('expired', expired.host, `${expired.host}/mirror`, `  ${expired.host}: { caFile: ${expired.caFile} }`);
    const run = await runCli(['verify', '-c', file, '-v', '--no-progress']);
    assert.equal(run.exitCode, 3, run.stderr + run.stdout);
    assert.match(errorLines(run.stderr + run.stdout)[0] ?? '', new RegExp(`${expired.host}.*certificate .*expired`));
    assert.match(run.stderr, /\b0 retries\b/);
  } finally {
    await destroyRegistry(expired);
  }
});

/** The notAfter of the first certificate in a PEM file, as the line says it (ISO, whole seconds). */
const notAfter = async (pem: string) => new Date(new X509Certificate(await readFile(pem)).validTo).toISOString().replace('.000Z', 'Z');

test('an expired intermediate in the chain (its leaf valid): the line names that intermediate and its date, not the registry\'s own certificate; an expired leaf is named too', async () => {
  // Node said CERT_HAS_EXPIRED alike for both, and 'the registry must renew it' sent its operators
  // to a leaf that was valid: the intermediate their chain file sends had expired.
  const servers = (await testCerts()).servers;
  const [lapsed, expired] = await Promise.all([startRegistry({ tls: 'expiredIntermediate' }), startRegistry({ tls: 'expired' })]);
  try {
    for (const [reg, name, cert, start] of [
      [lapsed, 'CN=lapsed-intermediate', join(dirname(servers.expiredIntermediate.cert), 'lapsed-intermediate.pem'), 'the intermediate CA certificate in its TLS certificate\'s chain has expired \\(CERT_HAS_EXPIRED; intermediate '],
      [expired, 'CN=expired', servers.expired.cert, 'its TLS certificate has expired \\(CERT_HAS_EXPIRED; '],
    ] as const) {
      const file = await config(`lapsed-${name}`, reg.host, `${reg.host}/mirror`, `  ${reg.host}: { caFile: ${reg.caFile} }`);
      const run = await runCli(['verify', '-c', file, '--no-progress']);
      assert.equal(run.exitCode, 3, run.stderr + run.stdout);
      const said = errorLines(run.stderr);
      assert.equal(said.length, 1, run.stderr);
      assert.match(said[0]!, new RegExp(`^error: ${reg.host}: ${start}${name}, valid until ${await notAfter(cert)}\\)`));
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      if (reg === lapsed) assert.match(said[0]!, /must send the current intermediate/, 'the leaf is not the one to renew');
    }
  } finally {
    await Promise.all([destroyRegistry(lapsed), destroyRegistry(expired)]);
  }
});

/**
 * A target registry with the `kind` certificate: refused in one line (exit 3, no retries) when
 * trusted by `refusedTrust` (a mirrors.yaml entry), matching `line`; then mirrored once trusted by
 * the registry's own `caFile`, with skopeo checking the digest through its cert dir.
 */
async function refusedThenTrusted(kind: 'selfSigned' | 'leafOnly', refusedTrust: string, line: (host: string) => RegExp): Promise<void> {
  const reg = await startRegistry({ tls: kind });
  try {
    const refused = await runCli(['sync', '-c', await config(`${kind}-refused`, source.host, `${reg.host}/mirror`,
      `  ${source.host}: { caFile: ${source.caFile} }\n  ${reg.host}: ${refusedTrust}`), '-v', '--no-progress']);
    assert.equal(refused.exitCode, 3, refused.stderr + refused.stdout);
    assert.match(errorLines(refused.stderr)[0] ?? '', line(reg.host));
    assert.match(refused.stderr, /\b0 retries\b/);
    const trusted = await runCli(['sync', '-c', await config(`${kind}-trusted`, source.host, `${reg.host}/mirror`,
      `  ${source.host}: { caFile: ${source.caFile} }\n  ${reg.host}: { caFile: ${reg.caFile} }`), '--no-progress']);
    assert.equal(trusted.exitCode, 0, trusted.stderr + trusted.stdout);
    assert.equal(await skopeoDigestVerified(`${reg.host}/mirror/app:v1.0.0`, reg.certDir!), image.digest);
  } finally {
    await destroyRegistry(reg);
  }
}

test('a self-signed certificate: refused with the remedy to give that certificate itself as caFile, which then works', () =>
  refusedThenTrusted('selfSigned', '{ tls: verify }',
    (host) => new RegExp(`${host}.*not trusted \\(DEPTH_ZERO_SELF_SIGNED_CERT\\): give that self-signed certificate itself as \`caFile\``)));

test('a registry that sends its leaf without the intermediate: the CA alone is refused with the remedy to add the intermediate to caFile, which then works', () =>
  refusedThenTrusted('leafOnly', `{ caFile: ${source.caFile} }`,
    (host) => new RegExp(`${host}.*not trusted \\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY); it is issued by CN=[^,)]*intermediate[^,)]*, which that file does not hold\\) with the \`caFile\` under registries: ${host}: that file must hold the CA that signed it, and the intermediate certificate too when the registry does not send it`)));

// newuser2 hunt: the caFile of another CA (a colleague's, or the one of another registry) read
// only 'that file must hold the CA that signed it'; the line now names the issuer it lacks.
test('a caFile of another CA: the line names the CA that issued the registry\'s certificate, which that file lacks', async () => {
  const other = await makeCa(await scratchDir('other-ca'), 'another team CA');
  const file = await config('other-ca', source.host, `${target.host}/other-ca`, `  ${source.host}: { caFile: ${source.caFile} }\n  ${target.host}: { caFile: ${other.cert} }`);
  const run = await runCli(['sync', '-c', file, '--no-progress']);
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  assert.ok(errorLines(run.stderr)[0]?.includes(`${target.host}: its TLS certificate is not trusted (UNABLE_TO_GET_ISSUER_CERT_LOCALLY; it is issued by CN=regmirror test CA, which that file does not hold) with the \`caFile\` under registries: ${target.host}: that file must hold the CA that signed it`), run.stderr);
});

// ceo3 hunt: sync to a target whose certificate is refused said the refusal twice in full on stderr,
// as the `error:` line and again in the first row's line (`… failed — cannot list tags: HOST: its TLS
// certificate is not trusted (…)`); the row now points at the error line, which alone says it.
test('sync to a target whose certificate is refused: the refusal is said once on stderr, the row points at it', async () => {
  const other = await makeCa(await scratchDir('other-ca-once'), 'another team CA');
  const file = await config('other-ca-once', source.host, `${target.host}/other-ca-once`, `  ${source.host}: { caFile: ${source.caFile} }\n  ${target.host}: { caFile: ${other.cert} }`);
  const run = await runCli(['sync', '-c', file, '--no-progress']);
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  const saying = run.stderr.split('\n').filter((l) => l.includes('its TLS certificate is not trusted'));
  assert.equal(saying.length, 1, run.stderr);
  assert.match(saying[0]!, new RegExp(`^error: ${target.host}: its TLS certificate is not trusted`));
  assert.ok(run.stderr.includes(`${source.host}/jetstack/app:v1.0.0 → ${target.host}/other-ca-once/app: failed — cannot list tags: as the error line above says`), run.stderr);
});

// ceo3 hunt: verify -o FILE to a target whose certificate is refused said it as the `error:` line and
// again whole in the line that says why the run ended in 3 (`verify: … first error: …: cannot list
// tags: HOST: its TLS certificate is not trusted (…)`).
test('verify with its report in a file, a target whose certificate is refused: the refusal is said once on stderr', async () => {
  const other = await makeCa(await scratchDir('other-ca-verify'), 'another team CA');
  const file = await config('other-ca-verify', source.host, `${target.host}/other-ca-verify`, `  ${source.host}: { caFile: ${source.caFile} }\n  ${target.host}: { caFile: ${other.cert} }`);
  const run = await runCli(['verify', '-c', file, '--no-progress', '--format', 'json', '-o', join(dir, 'other-ca-verify.json')]);
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  assert.equal(run.stderr.split('\n').filter((l) => l.includes('its TLS certificate is not trusted')).length, 1, run.stderr);
  assert.match(run.stderr, new RegExp(`^verify: .*; first error: ${target.host}/other-ca-verify/app:v1\\.0\\.0: cannot list tags: as the error line above says; the report is in `, 'm'));
  assert.match(await readFile(join(dir, 'other-ca-verify.json'), 'utf8'), /its TLS certificate is not trusted/, 'the report keeps the whole reason');
});

test('HTTP/2 is negotiated with a TLS registry (its access log says HTTP/2.0), and http2: false keeps HTTP/1.1', async () => {
  const h2 = await config('h2', source.host, `${target.host}/h2`, `  ${source.host}: { caFile: ${source.caFile} }\n  ${target.host}: { caFile: ${target.caFile} }`);
  const log = async () => (await readFile(source.logPath, 'utf8')).split('\n').filter((l) => l.includes('"GET /v2/jetstack/app/tags/list')); // access-log lines
  const before = (await log()).length;
  assert.equal((await runCli(['verify', '-c', h2, '--no-progress'])).exitCode, 1, 'the target lacks the tag: drift');
  const lines = (await log()).slice(before);
  assert.ok(lines.length > 0 && lines.every((l) => l.includes('HTTP/2.0')), lines.join('\n'));
  const h1 = await config('h1', source.host, `${target.host}/h2`, `  ${source.host}: { caFile: ${source.caFile}, http2: false }\n  ${target.host}: { caFile: ${target.caFile}, http2: false }`);
  const mark = (await log()).length;
  assert.equal((await runCli(['verify', '-c', h1, '--no-progress'])).exitCode, 1);
  const h1lines = (await log()).slice(mark);
  assert.ok(h1lines.length > 0 && h1lines.every((l) => l.includes('HTTP/1.1')), h1lines.join('\n'));
});

test('a caFile holding only the intermediate CA that signed the leaf is an anchor, as with curl --cacert and skopeo', async () => {
  const reg = await startRegistry({ tls: 'leafOnly' });
  try {
    const { intermediateFile } = await testCerts();
    const file = await config('intermediate-only', source.host, `${reg.host}/mirror`, `  ${source.host}: { caFile: ${source.caFile} }\n  ${reg.host}: { caFile: ${intermediateFile} }`);
    const run = await runCli(['sync', '-c', file, '--no-progress']);
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.equal(await skopeoDigestVerified(`${reg.host}/mirror/app:v1.0.0`, reg.certDir!), image.digest);
  } finally {
    await destroyRegistry(reg);
  }
});

test('plain HTTP sent to a TLS registry (a loopback host with no tls: entry): one line saying it speaks HTTPS and what to set, exit 3', async () => {
  const file = await config('plain-to-tls', source.host, `${target.host}/plain`, `  ${source.host}: { caFile: ${source.caFile} }`);
  const run = await runCli(['sync', '-c', file, '-v', '--no-progress']);
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  const said = run.stderr.split('\n').filter((l) => l.startsWith('error: '));
  assert.equal(said.length, 1, run.stderr);
  assert.match(said[0]!, new RegExp(`^error: ${target.host}: it speaks HTTPS on this port but was asked in plain HTTP .*set \`tls: verify\` under registries: ${target.host}, with \`caFile\``));
  assert.doesNotMatch(run.stdout, /400 Bad Request/, 'not the bare status');
});

test('plain HTTP sent to a TLS registry by an http:// endpoint: the line says to make the endpoint https://, not `tls: verify` (which mirrors.yaml refuses beside it)', async () => {
  // README's way to try a config locally (--endpoint quay.io=http://127.0.0.1:5000), and its mirrors.yaml twin.
  const logical = 'quay.io';
  const yamlEndpoint = await config('endpoint-http', logical, `${target.host}/endpoint-http`, `  ${logical}: { endpoint: 'http://${source.host}' }\n  ${target.host}: { caFile: ${target.caFile} }`);
  const run = await runCli(['plan', '-c', yamlEndpoint, '--no-progress']);
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  const said = run.stderr.split('\n').filter((l) => l.startsWith('error: '));
  assert.equal(said.length, 1, run.stderr);
  assert.equal(said[0], `error: ${logical}: it speaks HTTPS on this port but was asked in plain HTTP, as its endpoint http://${source.host} under registries: ${logical} says: make that endpoint https://, with \`caFile\` under registries: ${logical} for a private CA (or \`tls: insecure\`)`);
  const flagged = await config('endpoint-flag', logical, `${target.host}/endpoint-flag`, `  ${logical}: { caFile: ${source.caFile} }\n  ${target.host}: { caFile: ${target.caFile} }`);
  const viaFlag = await runCli(['plan', '-c', flagged, '--no-progress', '--endpoint', `${logical}=http://${source.host}`]);
  assert.equal(viaFlag.exitCode, 3, viaFlag.stderr + viaFlag.stdout);
  assert.match(viaFlag.stderr, new RegExp(`^error: ${logical}: it speaks HTTPS on this port but was asked in plain HTTP, as its endpoint http://${source.host} \\(--endpoint\\) says: make that endpoint https://`, 'm'));
  // What the line says works.
  const fixed = await runCli(['plan', '-c', flagged, '--no-progress', '--endpoint', `${logical}=https://${source.host}`]);
  assert.equal(fixed.exitCode, 0, fixed.stderr + fixed.stdout);
});

test('a certificate for another name reached through an endpoint: names the address checked and the names the certificate holds', async () => {
  const wrong = await startRegistry({ tls: 'wrongName' });
  try {
    const port = new URL(wrong.url).port;
    const logical = `registry.example.com:${port}`;
    const file = await config('wrong-name-endpoint', logical, `${logical}/mirror`, `  ${logical}: { caFile: ${wrong.caFile}, endpoint: 'https://127.0.0.1:${port}' }`);
    const run = await runCli(['verify', '-c', file, '--no-progress']);
    assert.equal(run.exitCode, 3, run.stderr + run.stdout);
    assert.match(errorLines(run.stderr)[0] ?? '', new RegExp(`${logical}: its TLS certificate does not match the name 127\\.0\\.0\\.1, where its endpoint points \\(ERR_TLS_CERT_ALTNAME_INVALID; the certificate is for DNS:registry\\.example\\.com\\)`));
  } finally {
    await destroyRegistry(wrong);
  }
});
