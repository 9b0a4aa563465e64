import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RegistrySettings } from '../../../src/config/model.js';
import { skopeoArgs, type SkopeoCopyRequest } from '../../../src/engines/skopeo-args.js';
import { skopeoAddress } from '../../../src/engines/skopeo-address.js';
import { UsageError } from '../../../src/types/errors.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function request(over: Partial<SkopeoCopyRequest> = {}): SkopeoCopyRequest {
  return {
    source: { scheme: 'registry', registry: 'quay.io', repository: 'jetstack/cert-manager-controller' },
    target: { scheme: 'registry', registry: 'ghcr.io', repository: 'cert-manager/cert-manager-controller' },
    tag: 'v1.14.0',
    digest: DIGEST,
    ...over,
  };
}

function settings(host: string, over: Partial<RegistrySettings> = {}): Map<string, RegistrySettings> {
  return new Map([[host, { host, tls: 'verify', ...over }]]);
}

describe('skopeoArgs', () => {
  it('copies every platform, preserving digests, source pinned by digest, target by tag', () => {
    const args = skopeoArgs(request());
    assert.deepEqual(args.slice(0, 7), ['copy', '--all', '--preserve-digests', '--retry-times', '3', '--quiet', '--src-no-creds']);
    assert.equal(args.at(-2), `docker://quay.io/jetstack/cert-manager-controller@${DIGEST}`);
    assert.equal(args.at(-1), 'docker://ghcr.io/cert-manager/cert-manager-controller:v1.14.0');
    assert.ok(!args.some((a) => a.includes('tls-verify')), 'public hosts keep TLS verification');
  });

  it('a --debug re-run puts the global flag before the command', () => {
    assert.deepEqual(skopeoArgs(request(), { debug: true }).slice(0, 2), ['--debug', 'copy']);
    assert.deepEqual(skopeoArgs(request(), { debug: true, insecurePolicy: true }).slice(0, 3), ['--debug', '--insecure-policy', 'copy']);
  });

  it('turns TLS verification off for loopback hosts, tls: disabled and tls: insecure', () => {
    for (const host of ['127.0.0.1:5000', 'localhost:5000', '127.8.9.10', '[::1]:5000']) {
      const args = skopeoArgs(request({ source: { scheme: 'registry', registry: host, repository: 'a/b' } }));
      assert.ok(args.includes('--src-tls-verify=false'), host);
      assert.ok(!args.includes('--dest-tls-verify=false'), host);
    }
    for (const tls of ['disabled', 'insecure'] as const) {
      const args = skopeoArgs(request(), { registries: settings('ghcr.io', { tls }) });
      assert.ok(args.includes('--dest-tls-verify=false'), tls);
    }
  });

  it('rewrites the host to an endpoint and takes TLS from its scheme', () => {
    const endpoints = new Map([['quay.io', 'http://127.0.0.1:5000']]);
    const args = skopeoArgs(request(), { endpoints, registries: settings('ghcr.io', { endpoint: 'https://mirror.internal:8443' }) });
    assert.equal(args.at(-2), `docker://127.0.0.1:5000/jetstack/cert-manager-controller@${DIGEST}`);
    assert.equal(args.at(-1), 'docker://mirror.internal:8443/cert-manager/cert-manager-controller:v1.14.0');
    assert.ok(args.includes('--src-tls-verify=false'));
    assert.ok(!args.includes('--dest-tls-verify=false'));
  });

  it('--endpoint wins over settings.endpoint, and an endpoint with a path is refused', () => {
    const address = skopeoAddress('quay.io', { host: 'quay.io', tls: 'verify', endpoint: 'https://a.example' }, 'http://127.0.0.1:5001/');
    assert.deepEqual(address, { logicalHost: 'quay.io', host: '127.0.0.1:5001', tlsVerify: false });
    assert.throws(() => skopeoAddress('quay.io', undefined, 'https://a.example/prefix'), UsageError);
  });

  it('an https:// endpoint is verified as the native client verifies it, a loopback host\'s plain default notwithstanding', () => {
    // mirrors.yaml's `127.0.0.1:5443: { endpoint: https://127.0.0.1:5443 }` holds the loopback default `tls: disabled`.
    const loopback = { host: '127.0.0.1:5443', tls: 'disabled' as const, endpoint: 'https://127.0.0.1:5443' };
    assert.equal(skopeoAddress('127.0.0.1:5443', loopback).tlsVerify, true);
    assert.equal(skopeoAddress('127.0.0.1:5443', { host: '127.0.0.1:5443', tls: 'disabled' }, 'https://127.0.0.1:5443').tlsVerify, true);
    assert.equal(skopeoAddress('127.0.0.1:5443', { ...loopback, tls: 'insecure' }).tlsVerify, false);
    assert.equal(skopeoAddress('127.0.0.1:5443', { host: '127.0.0.1:5443', tls: 'disabled' }).tlsVerify, false);
  });

  it('names auth files and cert dirs by path, and anonymous sides get --no-creds', () => {
    const args = skopeoArgs(request(), {
      registries: settings('quay.io', { caFile: '/etc/ca.pem' }),
      source: { authFile: '/tmp/x/auth-0.json', certDir: '/tmp/x/certs-0' },
      target: {},
      digestFile: '/tmp/x/digest-0',
    });
    const after = (flag: string) => args[args.indexOf(flag) + 1];
    assert.equal(after('--src-authfile'), '/tmp/x/auth-0.json');
    assert.equal(after('--src-cert-dir'), '/tmp/x/certs-0');
    assert.equal(after('--digestfile'), '/tmp/x/digest-0');
    assert.ok(args.includes('--dest-no-creds'));
    assert.ok(!args.includes('--src-no-creds'));
    assert.ok(!args.some((a) => /--(src-|dest-)?(creds|password|registry-token|username)/.test(a)), 'no credential flag at all');
  });

  it('no cert dir when TLS is not verified anyway', () => {
    const args = skopeoArgs(request({ source: { scheme: 'registry', registry: '127.0.0.1:5000', repository: 'a' } }), { source: { certDir: '/c' } });
    assert.ok(!args.includes('--src-cert-dir'));
  });

  it('OCI layouts: source by tag, target by tag, no registry flags', () => {
    const args = skopeoArgs(request({ source: { scheme: 'oci', dir: '/air/gap/app' }, target: { scheme: 'oci', dir: './out/app' } }));
    assert.equal(args.at(-2), 'oci:/air/gap/app:v1.14.0');
    assert.equal(args.at(-1), 'oci:./out/app:v1.14.0');
    assert.ok(!args.some((a) => a.startsWith('--src-') || a.startsWith('--dest-')));
    assert.throws(() => skopeoArgs(request({ target: { scheme: 'oci', dir: '/a:b' } })), UsageError);
  });

  it('puts --insecure-policy before the subcommand when asked', () => {
    const args = skopeoArgs(request(), { insecurePolicy: true });
    assert.deepEqual(args.slice(0, 2), ['--insecure-policy', 'copy']);
  });
});
