// A front end that speaks only HTTP/2 refuses a TLS handshake that offers HTTP/1.1 alone by ALPN
// (alert 120, no_application_protocol). regmirror's upload pool offers HTTP/1.1 alone (pool.ts:
// uploads over 64 KiB stay off HTTP/2), so every large blob failed with a bare
// ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL, and each was asked again five times per tag (a sync
// of 11 tags cost 633 requests). The refusal lasts the run: said once, as what it is.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { tlsError } from '../../../src/registry/http/tls-errors.js';
import { isLasting } from '../../../src/types/errors.js';

const alert = Object.assign(new Error('C0A7:error:0A000460:SSL routines:ssl3_read_bytes:tlsv1 alert no application protocol'), {
  code: 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL',
});

it('an HTTP/2-only front end that refuses HTTP/1.1 by ALPN is a lasting refusal, said with what to change', () => {
  const e = tlsError('registry.example:5443', alert);
  assert.ok(e, 'recognised');
  assert.ok(isLasting(e), 'not asked again');
  assert.equal(e.problem, 'h2-only');
  assert.match(e.message, /^registry\.example:5443: it refused HTTP\/1\.1 in the TLS handshake \(ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL\): it speaks only HTTP\/2, .*`http2: false` under registries: registry\.example:5443.*`endpoint`/);
  assert.doesNotMatch(e.message, /\n/);
});
