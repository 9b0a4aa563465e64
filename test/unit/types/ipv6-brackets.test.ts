// An IPv6 registry written without brackets (`::1:5000`, as `ss` and Node's own errors print it)
// was refused with "invalid registry host", "not a registry host", "expected host:port" or "not a
// URL", none saying what to write. Each now ends with the bracketed form to copy.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { bracketedIpv6 } from '../../../src/types/host.js';
import { parseNamespace, parseRepository } from '../../../src/types/reference.js';
import { baseUrlFor } from '../../../src/registry/http/scheme.js';

it('reads ::1:5000 as address and port; a bare address is bracketed alone; other hosts are left', () => {
  assert.equal(bracketedIpv6('::1:5000'), '[::1]:5000');
  assert.equal(bracketedIpv6('fe80::1'), '[fe80::1]');
  assert.equal(bracketedIpv6('2001:db8::2:443'), '[2001:db8::2]:443');
  assert.equal(bracketedIpv6('[::1]:5000'), undefined);
  assert.equal(bracketedIpv6('registry.internal:5000'), undefined);
  assert.equal(bracketedIpv6('a:b:c'), undefined);
});

it('a source, a target and an endpoint say the bracketed form to write', () => {
  assert.throws(() => parseRepository('::1:5000/jetstack/app'), /invalid registry host "::1:5000"; write an IPv6 address in brackets: "\[::1\]:5000\/jetstack\/app"$/);
  assert.throws(() => parseNamespace('::1:5001/mirror'), /write an IPv6 address in brackets: "\[::1\]:5001\/mirror"$/);
  assert.throws(() => baseUrlFor('quay.io', undefined, 'https://::1:5000'), /not a URL: "https:\/\/::1:5000"; write an IPv6 address in brackets: "https:\/\/\[::1\]:5000"$/);
});

it('hosts that are not IPv6 keep the message they had', () => {
  assert.throws(() => parseRepository('bad_host:5000/app'), (err: Error) => !/brackets/.test(err.message));
});
