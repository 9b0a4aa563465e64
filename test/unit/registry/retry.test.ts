import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RETRY_AFTER_MS, backoff, behindDownBackoff, isTransientNetworkError, parseRetryAfter } from '../../../src/registry/http/retry.js';
import { misplaced, unreachable, type CertEntry } from '../../../src/registry/http/unreachable.js';
import { AuthError, isLasting, TlsError, UnreachableError } from '../../../src/types/errors.js';
import { errors } from 'undici';
import { tlsError } from '../../../src/registry/http/tls-errors.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delta-seconds', () => {
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
  });
  it('reads an HTTP-date relative to now', () => {
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
  });
  it('caps long waits', () => {
    assert.equal(parseRetryAfter('86400', now), MAX_RETRY_AFTER_MS);
    assert.equal(parseRetryAfter('Fri, 02 Jan 2026 00:00:00 GMT', now), MAX_RETRY_AFTER_MS);
  });
  it('ignores absent or unusable values', () => {
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-5', now), undefined);
  });
});

describe('backoff', () => {
  const policy = { maxAttempts: 5, baseMs: 100, maxDelayMs: 1000 };
  it('grows exponentially under full jitter and is capped', () => {
    assert.equal(backoff(policy, 1, () => 0.999), 99);
    assert.equal(backoff(policy, 3, () => 0.999), 399);
    assert.equal(backoff(policy, 10, () => 0.999), 999);
    assert.equal(backoff(policy, 3, () => 0), 0);
  });
  it('after a front end\'s 502/503/504 waits at least the step, so five attempts span seconds, not a blink', () => {
    assert.equal(behindDownBackoff(policy, 1, () => 0), 100);
    assert.equal(behindDownBackoff(policy, 1, () => 0.999), 199);
    assert.equal(behindDownBackoff(policy, 3, () => 0), 400);
    assert.equal(behindDownBackoff(policy, 10, () => 0.999), 1000);
    // The default base (250 ms), maxAttempts 5: four waits of at least 3.75 s in all, a 3 s blip outlasted.
    const base = { maxAttempts: 5, baseMs: 250, maxDelayMs: 10_000 };
    assert.equal([1, 2, 3, 4].reduce((sum, n) => sum + behindDownBackoff(base, n, () => 0), 0), 3750);
  });
});

describe('isTransientNetworkError', () => {
  it('retries resets and refusals, not other failures', () => {
    assert.equal(isTransientNetworkError(Object.assign(new Error('x'), { code: 'ECONNRESET' })), true);
    assert.equal(isTransientNetworkError({ cause: { code: 'ECONNREFUSED' } }), true);
    assert.equal(isTransientNetworkError(Object.assign(new Error('x'), { code: 'ENOTFOUND' })), false);
    assert.equal(isTransientNetworkError(new AuthError('no')), false);
    assert.equal(isTransientNetworkError(new UnreachableError('h', 'down')), true);
  });

  it('retries HTTP/2 stream resets and malformed responses, never a refused certificate (issue 9)', () => {
    assert.equal(isTransientNetworkError(Object.assign(new Error('Stream closed with error code NGHTTP2_INTERNAL_ERROR'), { code: 'ERR_HTTP2_STREAM_ERROR' })), true);
    assert.equal(isTransientNetworkError(Object.assign(new errors.HTTPParserError('Response does not match the HTTP/1.1 protocol'), { code: 'HPE_INVALID_CONSTANT' })), true);
    assert.equal(isTransientNetworkError(new TlsError('h', 'untrusted', 'no')), false);
    assert.equal(isTransientNetworkError(Object.assign(new Error('x'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })), false);
  });
});

describe('tlsError', () => {
  it('names the host, the problem and the remedy', () => {
    const untrusted = tlsError('127.0.0.1:5443', Object.assign(new Error('x'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }));
    assert.ok(untrusted instanceof TlsError && untrusted.problem === 'untrusted');
    assert.match(untrusted.message, /^127\.0\.0\.1:5443: .*certificate is not trusted.*caFile.*tls: insecure/);
    assert.equal(tlsError('h', { cause: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' } })?.problem, 'wrong-name');
    assert.equal(tlsError('h', { code: 'CERT_HAS_EXPIRED' })?.problem, 'expired');
    assert.equal(tlsError('h', { code: 'ERR_SSL_WRONG_VERSION_NUMBER' })?.problem, 'not-tls');
    assert.equal(tlsError('h', { code: 'ECONNRESET' }), undefined);
  });
  it('an issuer found nowhere with a caFile given points at what the file holds, an intermediate included; without one, at giving it', () => {
    const withCa = tlsError('h', { code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }, true)!.message;
    assert.match(withCa, /not trusted \(UNABLE_TO_GET_ISSUER_CERT_LOCALLY\) with the `caFile` under registries: h: that file must hold the CA that signed it, and the intermediate certificate too when the registry does not send it/);
    const without = tlsError('h', { code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' })!.message;
    assert.match(without, /give the CA that signed it as `caFile` under registries: h, or set `tls: insecure`/);
    assert.doesNotMatch(without, /intermediate/);
    assert.doesNotMatch(tlsError('h', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, true)!.message, /intermediate/);
  });
  it('a certificate not valid yet points at this machine\'s clock, not at the registry renewing it; an expired one at renewing', () => {
    // A clock that is behind (a CI VM restored from a snapshot) refuses a certificate issued
    // minutes ago: "the registry must renew it" sent users to the wrong party.
    const early = tlsError('h', { code: 'CERT_NOT_YET_VALID' })!.message;
    assert.match(early, /^h: its TLS certificate is not valid yet \(CERT_NOT_YET_VALID\): check this machine's clock.*`tls: insecure` under registries: h/);
    assert.doesNotMatch(early, /renew/);
    assert.match(tlsError('h', { code: 'CERT_HAS_EXPIRED' })!.message, /^h: its TLS certificate has expired \(CERT_HAS_EXPIRED\): the registry must renew it/);
  });
});

describe('unreachable', () => {
  const req = { method: 'GET', url: new URL('https://quay.io/v2/jetstack/app/tags/list?n=100'), scopes: [] };
  it('says what a connection failure means for the registry, keeping the code', () => {
    const closed = unreachable('quay.io', req, Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
    assert.equal(closed.message, 'quay.io unreachable: GET https://quay.io/v2/jetstack/app/tags/list: it closed the connection before answering in full (UND_ERR_SOCKET)');
    const refused = unreachable('quay.io', req, new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }));
    assert.match(refused.message, /: nothing accepts connections at that address and port \(ECONNREFUSED\)$/);
  });
  it('says a plain http:// upload location from a registry reached over https:// is a proxy ending TLS, not a Host header', () => {
    // A registry behind a TLS-ending proxy that sends no X-Forwarded-Proto names http:// in its
    // Location; the PUT there hits the TLS port in plain text and is reset.
    const put = { method: 'PUT', url: new URL('http://127.0.0.1:8443/v2/cm/app/blobs/uploads/u1'), scopes: [] };
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const e = unreachable('t1.test', put, reset, { host: '127.0.0.1:8443', caFile: false, downgraded: true } as CertEntry);
    assert.match(e.message, /upload location t1\.test gave, on plain http:\/\/ although t1\.test is reached over https:\/\/: .*X-Forwarded-Proto \$scheme; HAProxy: http-request set-header X-Forwarded-Proto https if \{ ssl_fc \}\)$/);
    assert.doesNotMatch(e.message, /Host header/);
    // Without an endpoint the host names itself: the hint is still given.
    const own = unreachable('t1.test', { ...put, url: new URL('http://t1.test/v2/cm/app/blobs/uploads/u1') }, reset, { host: 't1.test', caFile: false, downgraded: true } as CertEntry);
    assert.match(own.message, /X-Forwarded-Proto/);
  });
  it('says a refused upload location on the registry\'s own name but another port is a proxy dropping the port, once', () => {
    // nginx's `proxy_set_header Host $host` passes the name without the port: the registry names
    // its sessions on https://host/…, port 443, where nothing listens.
    const base = new URL('https://reg.test:8443');
    const put = { method: 'PUT', url: new URL('https://reg.test/v2/cm/app/blobs/uploads/u1'), scopes: [] };
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const cert = { host: 'reg.test', caFile: false, ...misplaced(put.url, base) };
    const e = unreachable('reg.test:8443', put, refused, cert);
    assert.match(e.message, /ECONNREFUSED\); that is the upload location reg\.test:8443 gave, on port 443 although reg\.test:8443 is reached on port 8443: .*proxy_set_header Host \$http_host, not \$host\)$/);
    assert.ok(isLasting(e));
    // Another failure there (a reset) may pass, and a redirect there (a blob store) is no upload location.
    assert.ok(!isLasting(unreachable('reg.test:8443', put, Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), cert)));
    const get = { method: 'GET', url: new URL('https://reg.test:9000/bucket/blob'), scopes: [] };
    assert.ok(!isLasting(unreachable('reg.test:8443', get, refused, { host: 'reg.test:9000', caFile: false, ...misplaced(get.url, base) })));
    assert.deepEqual(misplaced(new URL('https://other.test/v2/'), base), {});
    assert.deepEqual(misplaced(new URL('http://reg.test/v2/'), base), { downgraded: true });
    assert.deepEqual(misplaced(new URL('https://reg.test:5000/v2/'), new URL('https://reg.test')), { reachedPort: '443' });
  });
  it('says a front end that offered HTTP/2 and then spoke otherwise, and names http2: false', () => {
    // A proxy that agrees to h2 by ALPN and answers in HTTP/1.1: the line read a bare ERR_HTTP2_ERROR.
    const bad = unreachable('quay.io', req, Object.assign(new Error('Protocol error'), { code: 'ERR_HTTP2_ERROR' }));
    assert.match(bad.message, /^quay\.io unreachable: GET \S+: it offered HTTP\/2 by ALPN but did not speak it \(ERR_HTTP2_ERROR\): .*set `http2: false` under registries: quay\.io$/);
  });
  it('says the code an HTTP/2 stream ended with, and what to change for the two a front end sends', () => {
    // The line read a bare ERR_HTTP2_STREAM_ERROR, alike for a front end asking to slow down
    // (RST_STREAM ENHANCE_YOUR_CALM) and for an answer longer than its DATA (PROTOCOL_ERROR).
    const rst = (code: string) => unreachable('quay.io', req, Object.assign(new Error(`Stream closed with error code ${code}`), { code: 'ERR_HTTP2_STREAM_ERROR' })).message;
    assert.match(rst('NGHTTP2_ENHANCE_YOUR_CALM'), /: it reset the HTTP\/2 stream with ENHANCE_YOUR_CALM \(ERR_HTTP2_STREAM_ERROR\), asking for fewer requests at once: lower `concurrency` or set `rateLimit` under registries: quay\.io$/);
    assert.match(rst('NGHTTP2_PROTOCOL_ERROR'), /: its HTTP\/2 answer broke the protocol \(ERR_HTTP2_STREAM_ERROR, NGHTTP2_PROTOCOL_ERROR; .*Content-Length.*`http2: false` under registries: quay\.io goes around it if so$/);
    assert.match(rst('NGHTTP2_INTERNAL_ERROR'), /: the HTTP\/2 stream was reset \(ERR_HTTP2_STREAM_ERROR, NGHTTP2_INTERNAL_ERROR\)$/);
  });
  it('says an unasked 100 Continue over HTTP/1.1 as such, not as a connection the registry closed', () => {
    // undici 7 destroys the socket itself on an interim 100 it did not ask for; skopeo reads past it.
    const e = unreachable('quay.io', req, Object.assign(new Error('bad response'), { code: 'UND_ERR_SOCKET' }));
    assert.match(e.message, /: it sent a 100 Continue before its answer, unasked, .*\(UND_ERR_SOCKET: bad response\): a proxy in front of quay\.io adds it; /);
    assert.doesNotMatch(e.message, /closed the connection/);
  });
  it('says an answer undici could not parse as not HTTP/1.1, a proxy\'s doing, not as the message alone', () => {
    // Garbage for a status line, or a Content-Length sent twice, on every attempt (chaos hunt).
    const e = unreachable('quay.io', req, new errors.HTTPParserError('Response does not match the HTTP/1.1 protocol (Duplicate Content-Length)'));
    assert.match(e.message, /: its answers were not valid HTTP\/1\.1 \(Response does not match the HTTP\/1\.1 protocol \(Duplicate Content-Length\)\): a proxy in front of quay\.io garbles them; fix that proxy or reach quay\.io without it$/);
  });
  it('passes on a code it has no words for, and a message without a code', () => {
    assert.match(unreachable('h', req, Object.assign(new Error('x'), { code: 'EPROTO' })).message, /: EPROTO$/);
    assert.match(unreachable('h', req, new Error('something odd')).message, /: something odd$/);
  });
});
