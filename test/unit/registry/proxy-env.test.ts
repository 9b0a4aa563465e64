// Which proxy a URL goes through: the cases of golang.org/x/net/http/httpproxy's proxy_test.go
// that skopeo, crane and regclient inherit, so both engines take the same way out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proxyEnv, proxyFor } from '../../../src/registry/http/proxy-env.js';
import { UsageError } from '../../../src/types/errors.js';

/** The proxy URL `url` goes through under `env`, or 'direct'. */
function via(url: string, env: NodeJS.ProcessEnv): string {
  return proxyFor(new URL(url), proxyEnv(env))?.proxy.href ?? 'direct';
}

const PROXIES = { HTTPS_PROXY: 'http://secure.proxy:3128', HTTP_PROXY: 'http://plain.proxy:3128' };

test('HTTPS_PROXY is for https URLs, HTTP_PROXY for http ones; none named is direct', () => {
  assert.equal(via('https://quay.io/v2/', PROXIES), 'http://secure.proxy:3128/');
  assert.equal(via('http://registry.corp:5000/v2/', PROXIES), 'http://plain.proxy:3128/');
  assert.equal(via('http://registry.corp/v2/', { HTTPS_PROXY: 'http://p:1' }), 'direct');
  assert.equal(via('https://quay.io/v2/', {}), 'direct');
});

test('upper case wins over lower case, and lower case alone is read', () => {
  assert.equal(via('https://quay.io/', { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' }), 'http://upper:1/');
  assert.equal(via('https://quay.io/', { https_proxy: 'http://lower:1' }), 'http://lower:1/');
  assert.equal(via('https://quay.io/', { ...PROXIES, no_proxy: 'quay.io' }), 'direct');
});

test('a proxy without a scheme is http://; socks and nonsense are refused with the variable named', () => {
  assert.equal(via('https://quay.io/', { HTTPS_PROXY: 'proxy.corp:3128' }), 'http://proxy.corp:3128/');
  assert.throws(() => proxyEnv({ HTTPS_PROXY: 'socks5://proxy:1080' }), (e) => e instanceof UsageError && /HTTPS_PROXY names a socks5:\/\/ proxy/.test(e.message));
  assert.throws(() => proxyEnv({ HTTP_PROXY: 'http://[bad' }), (e) => e instanceof UsageError && /HTTP_PROXY is not a proxy URL/.test(e.message));
  // A password with a bare % (not percent-encoded): a usage error naming the fix, never the password.
  assert.throws(() => proxyEnv({ HTTPS_PROXY: 'http://ci:50%off@proxy:3128' }), (e) => e instanceof UsageError && /^HTTPS_PROXY: the user or password in it is not percent-encoded: write % as %25/.test(e.message) && !e.message.includes('50%off'));
  assert.equal(proxyEnv({ HTTPS_PROXY: 'http://ci:50%25off@proxy:3128' }).https?.proxy.password, '50%25off');
});

test('loopback and localhost are never proxied, whatever NO_PROXY says', () => {
  for (const url of ['https://127.0.0.1:5000/', 'https://127.1.2.3/', 'http://localhost:5000/', 'https://[::1]:5000/', 'https://[::ffff:127.0.0.1]/']) {
    assert.equal(via(url, PROXIES), 'direct', url);
  }
  assert.equal(via('https://registry.localhost/', PROXIES), 'http://secure.proxy:3128/', 'only the name localhost itself, as in Go');
});

test('NO_PROXY names: example.com and .example.com match subdomains, only the first the name itself', () => {
  const env = { ...PROXIES, NO_PROXY: ' Example.com , .corp.test,*.internal' };
  assert.equal(via('https://example.com/', env), 'direct');
  assert.equal(via('https://registry.example.com/', env), 'direct');
  assert.equal(via('https://notexample.com/', env), 'http://secure.proxy:3128/');
  assert.equal(via('https://corp.test/', env), 'http://secure.proxy:3128/');
  assert.equal(via('https://a.b.corp.test/', env), 'direct');
  assert.equal(via('https://harbor.internal/', env), 'direct');
});

test('NO_PROXY ports narrow an entry to that port (default ports included)', () => {
  const env = { ...PROXIES, NO_PROXY: 'registry.corp:5000,quay.io:443' };
  assert.equal(via('https://registry.corp:5000/', env), 'direct');
  assert.equal(via('https://registry.corp/', env), 'http://secure.proxy:3128/');
  assert.equal(via('https://quay.io/', env), 'direct');
  assert.equal(via('http://quay.io/', env), 'http://plain.proxy:3128/');
});

test('NO_PROXY IPs and CIDRs, v4 and v6', () => {
  const env = { ...PROXIES, NO_PROXY: '10.0.0.0/8,192.168.1.7,[2001:db8::1]:443,fd00::/8' };
  assert.equal(via('https://10.20.30.40/', env), 'direct');
  assert.equal(via('https://11.0.0.1/', env), 'http://secure.proxy:3128/');
  assert.equal(via('https://192.168.1.7:5000/', env), 'direct');
  assert.equal(via('https://192.168.1.8/', env), 'http://secure.proxy:3128/');
  assert.equal(via('https://[2001:db8:0::1]/', env), 'direct');
  assert.equal(via('https://[2001:db8::1]:8443/', env), 'http://secure.proxy:3128/');
  assert.equal(via('https://[fd12::5]/', env), 'direct');
});

test('NO_PROXY=* sends everything direct; an empty one nothing', () => {
  assert.equal(via('https://quay.io/', { ...PROXIES, NO_PROXY: '*' }), 'direct');
  assert.equal(via('https://quay.io/', { ...PROXIES, NO_PROXY: '' }), 'http://secure.proxy:3128/');
  assert.equal(via('https://quay.io/', { ...PROXIES, NO_PROXY: ',,' }), 'http://secure.proxy:3128/');
});
