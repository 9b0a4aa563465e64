// A token service on another origin is reached with its registry's TLS settings, the client
// certificate of the registry's certs.d directory included (host-trust.ts lends it). When the token
// service refuses that certificate (Go's servers send bad_certificate), the line said "which
// regmirror does not present", sending people to add a certificate it had shown.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { tlsError } from '../../../src/registry/http/tls-errors.js';
import type { CertsDir } from '../../../src/registry/http/certs-d.js';

const refused = Object.assign(new Error('ssl3_read_bytes:sslv3 alert bad certificate'), { code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE' });
const dir = '/etc/containers/certs.d/registry.internal:5000';
const realm = 'https://auth.internal:8443';

it('a refused certificate that regmirror presented to the token service is named, with what to do', () => {
  const certs: CertsDir = { looked: [dir], found: dir, client: `${dir}/client.cert` };
  const e = tlsError('registry.internal:5000', refused, false, realm, certs);
  assert.ok(e);
  assert.match(e.message, /^registry\.internal:5000: its token service https:\/\/auth\.internal:8443 \(reached with the TLS settings under registries: registry\.internal:5000\) refused the TLS handshake \(ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE\) and \/etc\/containers\/certs\.d\/registry\.internal:5000\/client\.cert, which regmirror presented to it: the token service must accept that certificate as well as the registry does/);
  assert.doesNotMatch(e.message, /does not present/);
});

it('an expired one is said as expired, with its date', () => {
  const certs: CertsDir = { looked: [dir], found: dir, client: `${dir}/client.cert`, clientFacts: { from: '2025-01-01T00:00:00Z', until: '2026-01-01T00:00:00Z' } };
  const e = tlsError('registry.internal:5000', refused, false, realm, certs);
  assert.match(e!.message, /client\.cert, which regmirror presented to it and which expired on 2026-01-01T00:00:00Z: put a renewed one there with its key$/);
});

it('without a client certificate to show, the line says none was presented, as before', () => {
  const e = tlsError('registry.internal:5000', refused, true, realm, { looked: [dir] });
  assert.match(e!.message, /refused the TLS handshake \(ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE\): it asks for a client certificate \(mutual TLS\), which regmirror does not present$/);
});
