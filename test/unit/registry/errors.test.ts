import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { responseError } from '../../../src/registry/http/errors.js';
import { describeStatus, isHtml } from '../../../src/registry/http/front-pages.js';
import { NameUnknownError, NoSuchRepositoryError, RegistryResponseError } from '../../../src/types/errors.js';

test('a status reads with its reason phrase; an HTML body is said to come from something in front of the registry', () => {
  assert.equal(describeStatus(502), '502 Bad Gateway');
  assert.equal(describeStatus(407), '407 Proxy Authentication Required');
  assert.equal(describeStatus(599), '599');
  assert.equal(describeStatus(200, true), '200 OK, an HTML page (a proxy or load balancer in front of the registry answered)');
});

test('an HTML page is told from JSON by its first non-blank character', () => {
  assert.equal(isHtml('\n  <!DOCTYPE html><html>'), true);
  assert.equal(isHtml(Buffer.from('<html><body>502</body></html>')), true);
  assert.equal(isHtml('{"errors":[]}'), false);
  assert.equal(isHtml(new Uint8Array()), false);
});

test('a registry error names the method, the URL, the status as described and what the registry said', () => {
  const e = new RegistryResponseError('PUT', 'https://r/v2/a/manifests/v1', 400, [{ code: 'MANIFEST_INVALID', message: 'bad' }], describeStatus(400));
  assert.equal(e.message, 'PUT https://r/v2/a/manifests/v1: 400 Bad Request (MANIFEST_INVALID: bad)');
  assert.equal(new RegistryResponseError('GET', 'u', 500).message, 'GET u: 500');
});

test('a registry error names the digest its entry carries in detail: the blob a manifest PUT lacks', () => {
  // distribution 2.8: {"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:…"}
  const a = `sha256:${'a'.repeat(64)}`;
  const b = `sha256:${'b'.repeat(64)}`;
  const e = new RegistryResponseError('PUT', 'https://r/v2/a/manifests/v1', 400, [
    { code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry', detail: a },
    { code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry', detail: b },
  ], describeStatus(400));
  assert.equal(e.message, `PUT https://r/v2/a/manifests/v1: 400 Bad Request (MANIFEST_BLOB_UNKNOWN: blob unknown to registry ${a}; MANIFEST_BLOB_UNKNOWN: blob unknown to registry ${b})`);
  // A detail that is not a digest (an object, free text) is left out as before.
  const o = new RegistryResponseError('PUT', 'https://r/x', 400, [{ code: 'DENIED', message: 'no', detail: { why: 'x' } }], describeStatus(400));
  assert.equal(o.message, 'PUT https://r/x: 400 Bad Request (DENIED: no)');
});

test('a 401 naming no way to authenticate says so; one with a challenge does not', async () => {
  const answer = (headers: Record<string, string>) => ({ status: 401, headers, body: Readable.from([Buffer.from('{"errors":[{"code":"UNAUTHORIZED"}]}')]), url: new URL('https://r.example/v2/a/tags/list') });
  assert.match((await responseError('GET', answer({}))).message, /unauthorized \(UNAUTHORIZED\), with no WWW-Authenticate header .*a proxy in front of it may drop it/);
  assert.doesNotMatch((await responseError('GET', answer({ 'www-authenticate': 'Bearer realm="https://auth"' }))).message, /WWW-Authenticate/);
});

test('an HTML error page is named by its title: what the front end said, not only its status', async () => {
  // nginx in front of ACR or quay.io refusing an oversized Authorization header: the 400 alone
  // reads as a bad request of regmirror's; the page's title says what was refused.
  const page = '<html>\r\n<head><title>400 Request Header Or Cookie Too Large</title></head>\r\n<body><center><h1>400 Bad Request</h1></center></body></html>';
  const answer = { status: 400, headers: { 'content-type': 'text/html' }, body: Readable.from([Buffer.from(page)]), url: new URL('https://r.example/v2/a/tags/list') };
  assert.equal((await responseError('GET', answer)).message,
    'GET https://r.example/v2/a/tags/list: 400 Bad Request, an HTML page titled "400 Request Header Or Cookie Too Large" (a proxy or load balancer in front of the registry answered)'
    + ': its request headers are larger than that front end allows, the largest being the Authorization header, a token for this repository alone; raise the front end\'s limit (nginx: large_client_header_buffers 4 16k, its default 4 8k; HAProxy: tune.bufsize, its default 16384, holds the headers less tune.maxrewrite; Apache: LimitRequestFieldSize 16380, its default 8190)');
  // HAProxy's page has no title: its 400 for a request that outgrew tune.bufsize is known by its text.
  const haproxy = { ...answer, body: Readable.from([Buffer.from('<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n')]) };
  assert.match((await responseError('GET', haproxy)).message, /: 400 Bad Request, an HTML page \(a proxy or load balancer in front of the registry answered\): its request headers are larger than that front end allows.*HAProxy: tune\.bufsize/);
  // Apache's page is titled "400 Bad Request" over HTTP/1.1 (its HTTP/2 answers 431): known by its text.
  const apache = { ...answer, body: Readable.from([Buffer.from('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html><head>\n<title>400 Bad Request</title>\n</head><body>\n<h1>Bad Request</h1>\n<p>Your browser sent a request that this server could not understand.<br />\nSize of a request header field exceeds server limit.</p>\n</body></html>\n')]) };
  assert.match((await responseError('GET', apache)).message, /: 400 Bad Request, an HTML page \(a proxy or load balancer in front of the registry answered\): its request headers are larger than that front end allows.*Apache: LimitRequestFieldSize 16380/);
  // A page without a title (or a title of markup and spaces only) reads as before.
  const bare = { ...answer, body: Readable.from([Buffer.from('<html><body>\n  </body></html>')]) };
  assert.equal((await responseError('GET', bare)).message, 'GET https://r.example/v2/a/tags/list: 400 Bad Request, an HTML page (a proxy or load balancer in front of the registry answered)');
  // Nor does a title that only repeats the status.
  assert.equal(describeStatus(502, true, '502 Bad Gateway'), describeStatus(502, true));
  assert.equal(describeStatus(502, true, '502'), describeStatus(502, true));
});

test('a front end\'s page for the registry behind it being down says so, and what to do: run again once it answers', async () => {
  const answer = (status: number, page: string) => ({ status, headers: { 'content-type': 'text/html' }, body: Readable.from([Buffer.from(page)]), url: new URL('https://r.example/v2/a/tags/list') });
  const nginx504 = '<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
  assert.equal((await responseError('GET', answer(504, nginx504))).message, 'GET https://r.example/v2/a/tags/list: 504 Gateway Timeout, an HTML page (a proxy or load balancer in front of the registry answered)'
    + ': the registry behind it did not answer within the front end\'s timeout (nginx proxy_read_timeout, HAProxy timeout server), so it is down or overloaded; rerun once it answers');
  // HAProxy's pages have no title: their text says what happened.
  const haproxy504 = '<html><body><h1>504 Gateway Time-out</h1>\nThe server didn\'t respond in time.\n</body></html>\n';
  assert.match((await responseError('GET', answer(504, haproxy504))).message, /: 504 Gateway Timeout, an HTML page saying "The server didn't respond in time\." \(a proxy .*answered\): the registry behind it did not answer/);
  const haproxy503 = '<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n';
  assert.match((await responseError('GET', answer(503, haproxy503))).message, /: 503 Service Unavailable, an HTML page saying "No server is available to handle this request\." \(a proxy .*answered\): it could not reach the registry behind it, which is down; rerun once it answers$/);
  // A registry's own 503, in JSON, is the registry's answer: no word of a front end.
  assert.equal((await responseError('GET', answer(503, '{"errors":[{"code":"UNAVAILABLE","message":"service unavailable"}]}'))).message, 'GET https://r.example/v2/a/tags/list: 503 Service Unavailable (UNAVAILABLE: service unavailable)');
});

test('a 403 says what to check: credentials that may push (a write) or pull (a read)', async () => {
  const answer = (status: number) => ({ status, url: new URL('https://r.example/v2/a/blobs/uploads/'), headers: {}, body: Readable.from([Buffer.from('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}')]) });
  assert.match((await responseError('POST', answer(403) as never)).message, /^POST https:\/\/r\.example\/v2\/a\/blobs\/uploads\/: forbidden \(DENIED: requested access to the resource is denied\): check that the credentials used there may push to this repository/);
  assert.match((await responseError('GET', answer(403) as never)).message, /forbidden .*: check that the credentials used there may pull from this repository/);
});

test('a 429 the retries could not outlast names the registry whose limit is spent and what to do', async () => {
  const res = {
    status: 429, url: new URL('https://127.0.0.1:5000/v2/m/app/tags/list?n=100'), tries: 10, limitedHost: 'docker.io',
    headers: { 'content-type': 'application/json', 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' },
    body: Readable.from([Buffer.from('{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}')]),
  };
  const e = await responseError('GET', res);
  assert.equal(e.message, 'GET https://127.0.0.1:5000/v2/m/app/tags/list: 429 Too Many Requests (TOOMANYREQUESTS: You have reached your pull rate limit.) (tried 10 times)'
    + ': docker.io kept answering 429 while regmirror slowed its requests down and waited (ratelimit-limit 100;w=21600), so its rate limit is spent for now: rerun once it has room again, with credentials where the limit is for anonymous pulls, or with a lower registries.docker.io.concurrency');
  // One the retry layer did not give up on (a probe's answer, a caller retrying itself) says the 429 alone.
  const probe = await responseError('GET', { ...res, limitedHost: undefined, tries: undefined, body: Readable.from([Buffer.from('')]) });
  assert.equal(probe.message, 'GET https://127.0.0.1:5000/v2/m/app/tags/list: 429 Too Many Requests');
});

test("NAME_UNKNOWN in ECR's words says the repository does not exist and a push creates none; distribution's does not", async () => {
  const answer = (message: string) => ({ status: 404, headers: {}, body: Readable.from([Buffer.from(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message }] }))]), url: new URL('https://r.example/v2/cert-manager/app/tags/list') });
  const ecr = await responseError('GET', answer("The repository with name 'cert-manager/app' does not exist in the registry with id '123456789012'"));
  assert.ok(ecr instanceof NoSuchRepositoryError);
  assert.equal(ecr.message, "GET https://r.example/v2/cert-manager/app/tags/list: not found (NAME_UNKNOWN: The repository with name 'cert-manager/app' does not exist in the registry with id '123456789012')");
  // distribution 2.8 answers so for a repository with no tags yet, which its first push creates.
  const distribution = await responseError('GET', answer('repository name not known to registry'));
  assert.ok(distribution instanceof NameUnknownError);
  assert.ok(!(distribution instanceof NoSuchRepositoryError));
});
