// The query parameters that make a URL a credential, as object stores sign them: a printed URL
// (a `publish` download, a redirect named in an error) keeps its shape but none of its secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact } from '../../../src/ui/redact.js';

test('redacts the signature and session token of S3, GCS, Azure and CloudFront presigned URLs', () => {
  const cases: [string, string][] = [
    // S3 signed with temporary (STS) credentials: the session token is as secret as the signature.
    ['https://s3.example/b?X-Amz-Date=20260101&X-Amz-Security-Token=FwoGZXIvYXdzEBc&X-Amz-Signature=abc123',
      'https://s3.example/b?X-Amz-Date=20260101&X-Amz-Security-Token=[REDACTED]&X-Amz-Signature=[REDACTED]'],
    // Google Cloud Storage (behind Artifact Registry and GAR blob redirects): V4 and V2 signing.
    ['https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=0a1b2c3d',
      'https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=[REDACTED]'],
    ['https://storage.googleapis.com/b/o?GoogleAccessId=x@y&Expires=1&Signature=c2lnbmF0dXJl',
      'https://storage.googleapis.com/b/o?GoogleAccessId=x@y&Expires=1&Signature=[REDACTED]'],
    ['https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026-01-01&sig=c2ln%3D', 'https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026-01-01&sig=[REDACTED]'],
    ['https://d111.cloudfront.net/b?Expires=1&Signature=AbC~d&Key-Pair-Id=K2', 'https://d111.cloudfront.net/b?Expires=1&Signature=[REDACTED]&Key-Pair-Id=K2'],
  ];
  for (const [url, redacted] of cases) assert.equal(redact(`downloading ${url}`), `downloading ${redacted}`);
  // The colon after a URL in "GET URL: HTTP 403" is the message's, not the signature's.
  assert.equal(redact('GET https://s3.example/b?X-Amz-Signature=abc123: HTTP 403'), 'GET https://s3.example/b?X-Amz-Signature=[REDACTED]: HTTP 403');
});
