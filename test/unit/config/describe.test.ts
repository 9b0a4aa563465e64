// `regmirror validate` output: says what is selected and where it goes, names env vars only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load.js';
import { describeConfig, describeRules } from '../../../src/config/describe.js';

test('describeConfig lists sources, target repositories, rules, binaries and registries', () => {
  process.env.REGMIRROR_TEST_QUAY_TOKEN = 'super-secret-value';
  const c = parseConfig(
    [
      'version: 1',
      'defaults: { targets: [quay.io/cert-manager, ghcr.io/cert-manager], tags: { semver: ">=1.12.0", prerelease: false } }',
      'registries:',
      '  quay.io: { credentials: { usernameEnv: QUAY_USER, passwordEnv: REGMIRROR_TEST_QUAY_TOKEN } }',
      '  ghcr.io: { credentials: { tokenEnv: GH_IDENTITY } }',
      'images:',
      '  - source: quay.io/jetstack/cert-manager-controller',
      '    tags: { latest: 2, explicit: [v1.11.0] }',
      'binaries:',
      '  - { name: cmctl, artifactType: application/vnd.cert-manager.cmctl.v1, files: ["cmctl-*"] }',
    ].join('\n'),
    'm.yaml',
  );
  const out = describeConfig(c);
  for (const want of [
    'quay.io/jetstack/cert-manager-controller',
    '→ quay.io/cert-manager/cert-manager-controller',
    '→ ghcr.io/cert-manager/cert-manager-controller',
    'semver >=1.12.0, no prereleases, only the 2 highest version(s); always v1.11.0',
    'cmctl (application/vnd.cert-manager.cmctl.v1)',
    '→ ghcr.io/cert-manager/cmctl',
    '$QUAY_USER / $REGMIRROR_TEST_QUAY_TOKEN',
    'token from $GH_IDENTITY',
  ]) {
    assert.ok(out.includes(want), `missing "${want}" in:\n${out}`);
  }
  assert.ok(!out.includes('super-secret-value'));
  delete process.env.REGMIRROR_TEST_QUAY_TOKEN;
});

test('describeRules says "every tag" when no rule was written', () => {
  assert.equal(describeRules({ include: [], exclude: [], latest: 0, explicit: [] }, false), 'every tag');
  assert.equal(describeRules({ include: ['^v'], exclude: ['-rc'], latest: 0, explicit: [] }, true), 'matching /^v/, not matching /-rc/');
});

// newuser hunt: `127.0.0.1:5443: { endpoint: https://127.0.0.1:5443 }` is spoken to over verified
// TLS (the endpoint's scheme wins), but validate said `tls disabled`, the loopback default; and a
// registry sent to an http:// endpoint was said to be `tls verify`.
test('describeConfig says the TLS an endpoint\'s scheme gives a registry without `tls:`', () => {
  const c = parseConfig(
    [
      'version: 1',
      'registries:',
      '  127.0.0.1:5443: { endpoint: "https://127.0.0.1:5443/" }',
      '  registry.internal: { endpoint: "http://127.0.0.1:5000" }',
      '  localhost:5444: { endpoint: "https://127.0.0.1:5444", tls: insecure }',
      'images:',
      '  - { source: 127.0.0.1:5443/jetstack/app, targets: [registry.internal/mirror, localhost:5444/mirror] }',
    ].join('\n'),
    'm.yaml',
  );
  const out = describeConfig(c);
  for (const want of [
    '127.0.0.1:5443: tls verify, credentials from Docker config or anonymous, endpoint https://127.0.0.1:5443',
    'registry.internal: tls disabled, credentials from Docker config or anonymous, endpoint http://127.0.0.1:5000',
    'localhost:5444: tls insecure,',
  ]) {
    assert.ok(out.includes(want), `missing "${want}" in:\n${out}`);
  }
});

test('a checksums file is described with where publish looks for it besides: under --dir', () => {
  // ceo3 hunt: validate printed 'checksums: /work/rel/checksums.txt' alone, a file that is not there
  // when the release job keeps it with the files, where publish finds it under --dir.
  const c = parseConfig([
    'version: 1',
    'defaults: { targets: [ghcr.io/cert-manager] }',
    'binaries:',
    '  - { name: cmctl, artifactType: application/vnd.cert-manager.cmctl.v1, files: ["cmctl-*"], checksums: checksums.txt }',
  ].join('\n'), '/work/rel/mirrors.yaml');
  assert.ok(describeConfig(c).includes('    checksums: /work/rel/checksums.txt (else checksums.txt under publish\'s --dir)'), describeConfig(c));
});
