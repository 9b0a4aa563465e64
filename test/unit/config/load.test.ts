// The SPEC's own example and the shipped mirrors.yaml load, and defaults merge as documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { loadConfig, parseConfig } from '../../../src/config/load.js';
import { mirrorsSchema } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/types/errors.js';
import { CONFIG_FIXTURES, REPO_ROOT } from './fixtures.js';

const specExample = path.join(CONFIG_FIXTURES, 'spec-example.yaml');

test('the JSON Schema accepts the SPEC example verbatim', () => {
  const validate = new Ajv({ strict: true }).compile(mirrorsSchema);
  const ok = validate(parseYaml(readFileSync(specExample, 'utf8')));
  assert.equal(ok, true, JSON.stringify(validate.errors));
});

test('the JSON Schema describes every property', () => {
  const missing: string[] = [];
  const walk = (schema: unknown, where: string): void => {
    if (!schema || typeof schema !== 'object') return;
    const s = schema as Record<string, unknown>;
    for (const [key, sub] of Object.entries((s.properties as object) ?? {})) {
      const d = sub as Record<string, unknown>;
      if (!d.description && !d.$ref) missing.push(`${where}.${key}`);
      walk(sub, `${where}.${key}`);
    }
    for (const [key, sub] of Object.entries((s.definitions as object) ?? {})) walk(sub, key);
  };
  walk(mirrorsSchema, '');
  assert.deepEqual(missing, []);
});

// newuser hunt: `regmirror schema` (what editors show) called tokenEnv an identity (refresh)
// token, which regmirror would send as a bearer token as it is (README: Docker's registrytoken).
test('the JSON Schema says what tokenEnv is sent as, as README does', () => {
  const credentials = (mirrorsSchema.definitions.registry.properties.credentials.properties);
  assert.match(credentials.tokenEnv.description, /bearer token, sent to the registry as it is/);
  assert.doesNotMatch(credentials.tokenEnv.description, /^Environment variable holding an identity/);
});

test('the SPEC example loads and merges as documented', async () => {
  const c = await loadConfig(specExample);
  assert.equal(c.version, 1);
  assert.deepEqual(c.defaults.targets, [
    { scheme: 'registry', registry: 'quay.io', path: 'cert-manager' },
    { scheme: 'registry', registry: 'ghcr.io', path: 'cert-manager' },
  ]);
  assert.deepEqual(c.defaults.tags, { semver: '>=1.0.0', prerelease: false, include: [], exclude: [], latest: 0, explicit: [] });
  const [controller, ctl, chart] = c.images;
  assert.equal(controller!.name, 'cert-manager-controller');
  assert.deepEqual(controller!.targets, c.defaults.targets);
  assert.equal(controller!.referrers, true);
  assert.equal(controller!.overwrite, false);
  assert.equal(controller!.engine, 'native');
  assert.equal(controller!.hasTagRules, true);
  // Item rules merge key by key: semver replaced, prerelease inherited.
  assert.equal(ctl!.name, 'cmctl');
  assert.equal(ctl!.tags.semver, '>=1.8.0');
  assert.equal(ctl!.tags.prerelease, false);
  assert.deepEqual(ctl!.source, { scheme: 'registry', registry: 'quay.io', repository: 'jetstack/cert-manager-ctl' });
  assert.equal(chart!.name, 'cert-manager');
  assert.deepEqual(chart!.targets.map((t) => (t.scheme === 'registry' ? `${t.registry}/${t.path}` : t.dir)), ['quay.io/cert-manager/charts', 'ghcr.io/cert-manager/charts']);
  assert.deepEqual(chart!.position, { line: 31, col: 5 });

  const quay = c.registries.get('quay.io')!;
  assert.deepEqual(quay.credentials, { usernameEnv: 'QUAY_USER', passwordEnv: 'QUAY_TOKEN' });
  assert.equal(quay.concurrency, 8);
  assert.equal(quay.tls, 'verify');
  const internal = c.registries.get('registry.internal:5000')!;
  assert.equal(internal.tls, 'disabled');
  assert.equal(internal.caFile, path.join(CONFIG_FIXTURES, 'ca.pem'));
  assert.equal(internal.endpoint, 'https://mirror.internal:8443');
  assert.equal(c.registries.has('docker.io'), false);

  const [bin] = c.binaries;
  assert.equal(bin!.name, 'cmctl');
  assert.equal(bin!.checksums, path.join(CONFIG_FIXTURES, 'checksums.txt'));
  assert.deepEqual(bin!.targets, c.defaults.targets);
  assert.equal(bin!.source, undefined);
});

test('the shipped mirrors.yaml models the cert-manager release set', async () => {
  const c = await loadConfig('mirrors.yaml', { cwd: REPO_ROOT });
  const names = c.images.map((i) => i.name);
  for (const n of ['cert-manager-controller', 'cert-manager-webhook', 'cert-manager-cainjector', 'cert-manager-acmesolver', 'cert-manager-startupapicheck', 'cert-manager']) {
    assert.ok(names.includes(n), n);
  }
  assert.equal(c.registries.get('ghcr.io')?.credentials?.passwordEnv, 'GITHUB_TOKEN');
  assert.equal(c.binaries[0]?.name, 'cmctl');
});

test('defaults apply when nothing is written', () => {
  const c = parseConfig('version: 1\nimages:\n  - source: quay.io/jetstack/a\n    targets: [oci:./out]\nregistries:\n  127.0.0.1:5000: {}\n  localhost: {}\n  "[::1]:5001": {}\n  example.com:5000: {}\n', '/x/m.yaml');
  const [item] = c.images;
  assert.equal(item!.hasTagRules, false);
  assert.deepEqual(item!.tags, { include: [], exclude: [], latest: 0, explicit: [] });
  assert.deepEqual(item!.targets, [{ scheme: 'oci', dir: './out' }]);
  assert.equal(item!.referrers, true);
  assert.equal(item!.engine, 'native');
  assert.deepEqual(
    [...c.registries.values()].map((r) => [r.host, r.tls]),
    [['127.0.0.1:5000', 'disabled'], ['localhost', 'disabled'], ['[::1]:5001', 'disabled'], ['example.com:5000', 'verify']],
  );
  assert.deepEqual(c.binaries, []);
});

test('an explicit tls or a caFile wins over the loopback default (SPEC mirrors.yaml; issue 9)', () => {
  const c = parseConfig('version: 1\nimages:\n  - source: quay.io/jetstack/a\n    targets: [oci:./out]\nregistries:\n  127.0.0.1:5443: { tls: verify }\n  localhost:5444: { caFile: ./ca.pem }\n  "[::1]:5445": { tls: insecure }\n  127.0.0.1:5446: { http2: false }\n', '/x/m.yaml');
  assert.deepEqual(
    [...c.registries.values()].map((r) => [r.host, r.tls, r.http2]),
    [['127.0.0.1:5443', 'verify', undefined], ['localhost:5444', 'verify', undefined], ['[::1]:5445', 'insecure', undefined], ['127.0.0.1:5446', 'disabled', false]],
  );
});

test('pipelining: false under a registry keeps its HTTP/1.1 connections to one request at a time; a string is refused at its place', () => {
  const c = parseConfig('version: 1\nimages:\n  - source: quay.io/jetstack/a\n    targets: [registry.internal:5000/j]\nregistries:\n  registry.internal:5000: { pipelining: false }\n', '/x/m.yaml');
  assert.equal(c.registries.get('registry.internal:5000')?.pipelining, false);
  assert.equal(c.registries.get('quay.io')?.pipelining, undefined);
  assert.throws(() => parseConfig('version: 1\nimages:\n  - source: quay.io/jetstack/a\n    targets: [registry.internal:5000/j]\nregistries:\n  registry.internal:5000: { pipelining: off }\n', '/x/m.yaml'), /m\.yaml:6:\d+.*pipelining/);
});

test('item settings override defaults and hasTagRules reflects item rules only', () => {
  const c = parseConfig(
    'version: 1\ndefaults: { targets: [quay.io/cm], engine: skopeo, referrers: false }\nimages:\n  - source: oci:./layouts/a\n    tags: { latest: 3 }\n    engine: native\n    overwrite: true\n  - source: quay.io/j/b\n',
    'm.yaml',
  );
  assert.deepEqual(c.images.map((i) => [i.engine, i.referrers, i.overwrite, i.hasTagRules, i.tags.latest]), [
    ['native', false, true, true, 3],
    ['skopeo', false, false, false, 0],
  ]);
  assert.equal(c.images[0]!.name, 'a');
});

test('loadConfig reports a missing file at 1:1', async () => {
  await assert.rejects(loadConfig('nope.yaml', { cwd: CONFIG_FIXTURES }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.message, 'nope.yaml:1:1: no such file');
    return true;
  });
});

test('loadConfig refuses a caFile that does not exist, or holds no certificate, at its value', async () => {
  const text = 'version: 1\nregistries:\n  r.example:\n    caFile: missing.pem\n';
  const dir = mkdtempSync(path.join(tmpdir(), 'regmirror-config-'));
  try {
    writeFileSync(path.join(dir, 'm.yaml'), text);
    await assert.rejects(loadConfig(path.join(dir, 'm.yaml')), (err: unknown) => err instanceof ConfigError && err.line === 4 && err.col === 13);
    // There, but no certificate in it (test/integration/cli/cafile.test.ts: what a good one is).
    writeFileSync(path.join(dir, 'missing.pem'), 'pem');
    await assert.rejects(loadConfig(path.join(dir, 'm.yaml')), (err: unknown) => err instanceof ConfigError && err.line === 4 && err.detail.includes('holds no PEM certificate'));
    // The registry's private key taken for its CA's certificate (newuser hunt): said as what it is.
    writeFileSync(path.join(dir, 'missing.pem'), '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
    await assert.rejects(loadConfig(path.join(dir, 'm.yaml')), (err: unknown) => err instanceof ConfigError && err.line === 4
      && err.detail === `registries.r.example.caFile: ${path.join(dir, 'missing.pem')} holds a private key (BEGIN PRIVATE KEY) and no certificate: give the certificate of the CA that signed the registry's (-----BEGIN CERTIFICATE-----), not a private key`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// newuser hunt: a flow list of one registry's root, `targets: [127.0.0.1:5000]`, was refused as an
// unquoted IPv6 host: 'write "[127.0.0.1:5000]" in quotes: YAML reads an unquoted [ as the start of a list'.
test('a flow list of host:port namespaces is a list, an unquoted [::1]:5000 still the quoting hint', () => {
  const c = parseConfig('version: 1\nimages:\n  - source: 127.0.0.1:5443/app\n    targets: [127.0.0.1:5000]\n', 'm.yaml');
  assert.deepEqual(c.images[0]!.targets, [{ scheme: 'registry', registry: '127.0.0.1:5000', path: '' }]);
  assert.throws(() => parseConfig('version: 1\nimages:\n  - source: 127.0.0.1:5443/app\n    targets: [[::1]:5000/m]\n', 'm.yaml'),
    (err: unknown) => err instanceof ConfigError && err.detail.includes('write "[::1]:5000/m" in quotes'));
});

test('an empty file and a whitespace-only file are one clear error', () => {
  for (const text of ['', '\n\n  \n', '# only a comment\n']) {
    assert.throws(() => parseConfig(text, 'e.yaml'), (err: unknown) => err instanceof ConfigError && err.detail.startsWith('empty file'));
  }
});

test('a second error in the same file does not hide the first in document order', () => {
  const text = 'version: 1\ndefaults:\n  engin: native\n  referers: true\n';
  assert.throws(() => parseConfig(text, 'm.yaml'), (err: unknown) => err instanceof ConfigError && err.line === 3 && err.detail.includes('"engin"') && err.detail.includes('did you mean "engine"'));
});

test('merge keys share blocks: `<<: *anchor` then key by key overrides, as compose files do', () => {
  const text = [
    'version: 1',
    'defaults:',
    '  targets: [ghcr.io/cm]',
    '  tags: &rules { semver: ">=1.0.0", prerelease: true }',
    'images:',
    '  - &base',
    '    source: quay.io/j/a',
    '    tags: { <<: *rules, semver: ">=1.5.0" }',
    '  - <<: *base',
    '    source: quay.io/j/b',
    '',
  ].join('\n');
  const c = parseConfig(text, 'm.yaml');
  assert.deepEqual(c.images.map((i) => [i.name, i.tags.semver, i.tags.prerelease]), [
    ['a', '>=1.5.0', true],
    ['b', '>=1.5.0', true],
  ]);
});

test('a source on index.docker.io names its host: read as docker.io, not refused as host-less', () => {
  const c = parseConfig('version: 1\ndefaults: { targets: [ghcr.io/cm] }\nimages:\n  - source: index.docker.io/library/nginx\n', 'm.yaml');
  assert.deepEqual(c.images[0]!.source, { scheme: 'registry', registry: 'docker.io', repository: 'library/nginx' });
});

test('a leading ~/ in a path is the home directory, as in the shell; other paths are relative to the file', () => {
  const c = parseConfig('version: 1\nlock: ~/mirrors.lock\nregistries:\n  r.example: { caFile: ./ca.pem }\n', '/etc/regmirror/m.yaml');
  assert.equal(c.lock, path.join(homedir(), 'mirrors.lock'));
  assert.equal(c.registries.get('r.example')?.caFile, '/etc/regmirror/ca.pem');
});

test('a Latin-1 byte is named with its place, not read as U+FFFD into a baffling name error', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'regmirror-config-'));
  try {
    const text = Buffer.concat([Buffer.from('version: 1\nimages:\n  - source: quay.io/j/a\n    targets: [ghcr.io/cm]\n    name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    writeFileSync(path.join(dir, 'm.yaml'), text);
    await assert.rejects(loadConfig(path.join(dir, 'm.yaml')), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual([err.line, err.col], [5, 14]);
      assert.match(err.detail, /byte 0xE9 is not UTF-8.*save the file as UTF-8/);
      return true;
    });
    // A UTF-8 BOM (Windows editors) is not an error.
    writeFileSync(path.join(dir, 'm.yaml'), '\ufeffversion: 1\nimages: []\n');
    assert.equal((await loadConfig(path.join(dir, 'm.yaml'))).images.length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('credential variable names that are words stay names; only token-like values are refused', () => {
  const config = (name: string) => `version: 1\ndefaults: { targets: [ghcr.io/cm] }\nregistries:\n  ghcr.io:\n    credentials: { tokenEnv: ${name} }\nimages: [{ source: quay.io/j/a }]\n`;
  for (const name of ['RegistryPassword2', 'QUAY_ROBOT_TOKEN_FOR_CERT_MANAGER_2024', 'quayPassword2', 'GhcrTokenForReleases2025']) {
    assert.equal(parseConfig(config(name), '/x/m.yaml').registries.get('ghcr.io')?.credentials?.tokenEnv, name);
  }
  for (const token of ['ghp_hunter2aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1', 'dckr_pat_Ab1Cd2Ef3Gh4', 'Zq81Lm3Np7Xy5Rt2Vb9Kw', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCD']) {
    assert.throws(() => parseConfig(config(token), '/x/m.yaml'), (err: unknown) => err instanceof ConfigError && /looks like a secret/.test(err.detail) && !err.message.includes(token));
  }
});

test('an IPv6 loopback inside a URL is text, not an unquoted [ that needs quotes', () => {
  const c = parseConfig('version: 1\nregistries:\n  ghcr.io:\n    endpoint: http://[::1]:5000\n  "[::1]:5001": {}\ndefaults: { targets: ["[::1]:5001/cm"] }\nimages: [{ source: ghcr.io/j/a }]\n', '/x/m.yaml');
  assert.equal(c.registries.get('ghcr.io')?.endpoint, 'http://[::1]:5000');
  assert.throws(() => parseConfig('version: 1\nregistries:\n  [::1]:5001: {}\nimages: []\n', '/x/m.yaml'), /write "\[::1\]:5001" in quotes/);
});

test('a target that is the item\'s own source is accepted: a gateway serving from the source alone needs it', () => {
  const c = parseConfig('version: 1\nimages:\n  - source: 127.0.0.1:5000/jetstack/app\n    name: app\n    targets: [127.0.0.1:5000/jetstack]\ngateway:\n  listen: 127.0.0.1:0\n', '/x/m.yaml');
  assert.equal(c.images[0]!.targets.length, 1);
});
