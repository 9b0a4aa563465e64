// A registry reached at [::1]:PORT whose certificate names 127.0.0.1 only: Node checks the bare
// address ::1, while the registry key carries brackets. Comparing the two as text made every such
// error claim "::1, where its endpoint points" although no endpoint was set, sending the user to
// look for one. The failures here are Node's own (tls.checkServerIdentity), as a handshake gives.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { tlsError } from '../../../src/registry/http/tls-errors.js';

const certFor = (san: string) => ({ subjectaltname: san, subject: {} }) as unknown as PeerCertificate;

it('[::1]:PORT with a certificate for 127.0.0.1: names ::1 as the name checked, no endpoint mentioned', () => {
  const failure = checkServerIdentity('::1', certFor('IP Address:127.0.0.1'));
  const err = tlsError('[::1]:5000', failure);
  assert.ok(err);
  assert.equal(err.message, '[::1]:5000: its TLS certificate does not match the name ::1 (ERR_TLS_CERT_ALTNAME_INVALID; the certificate is for IP Address:127.0.0.1): reach it by a name the certificate holds (`endpoint` under registries: [::1]:5000), or set `tls: insecure` there');
});

it('an endpoint that really points elsewhere is still said', () => {
  const failure = checkServerIdentity('::1', certFor('DNS:registry.example.com'));
  const err = tlsError('registry.example.com:5000', failure);
  assert.match(err?.message ?? '', /does not match the name ::1, where its endpoint points \(/);
});
