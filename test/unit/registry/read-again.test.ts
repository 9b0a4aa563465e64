// src/registry/read-again.ts: an answer cut while it was read is asked for again within the budget.
// A cut by the session's graceful end (GOAWAY NO_ERROR: undici 7 fails the streams still being
// read, answered or not) is the normal end of a connection, as a request it took before its
// answer is (goaway.ts 'resend'): read again at once, and no retry counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from 'undici';
import { readAgainWhenSpoiled } from '../../../src/registry/read-again.js';
import type { RepoContext } from '../../../src/registry/repo-context.js';
import type { RetryBudget } from '../../../src/registry/http/types.js';

function fakeRepo() {
  const stats = { retries: 0 };
  const debug: string[] = [];
  const repo = {
    host: {
      host: 'registry.example',
      retry: { maxAttempts: 3, baseMs: 2000, maxDelayMs: 10_000 },
      options: { stats, logger: { debug: (line: string) => debug.push(line) } },
    },
  } as unknown as RepoContext;
  return { repo, stats, debug };
}

const url = new URL('https://registry.example/v2/app/manifests/v1');

/** A read that spends an attempt, as the request layer does, and fails with `errs` in turn. */
function failing(errs: unknown[]) {
  let calls = 0;
  return async (budget: RetryBudget) => {
    budget.remaining--;
    const e = errs[calls++];
    if (e) throw e;
    return 'read';
  };
}

test('a body a graceful GOAWAY cut is read again at once, not counted as a retry', async () => {
  const { repo, stats, debug } = fakeRepo();
  const started = Date.now();
  const cut = new errors.SocketError('HTTP/2: "GOAWAY" frame received with code 0');
  assert.equal(await readAgainWhenSpoiled(repo, url, {}, () => false, failing([cut, cut])), 'read');
  assert.equal(stats.retries, 0);
  assert.ok(Date.now() - started < 1000, 'no back-off (2 s here)');
  assert.match(debug[0]!, /registry\.example: its HTTP\/2 connection ended \(GOAWAY NO_ERROR\) while the answer to GET .*manifests\/v1 was read; asked again/);
});

test('still within the budget: a server that ends every session mid-answer fails the read in the end', async () => {
  const { repo } = fakeRepo();
  const cut = new errors.SocketError('HTTP/2: "GOAWAY" frame received with code 0');
  await assert.rejects(readAgainWhenSpoiled(repo, url, {}, () => false, failing([cut, cut, cut, cut])));
});

test('any other cut (a reset, a GOAWAY with an error code) is a retry, after its back-off', async () => {
  const { repo, stats } = fakeRepo();
  (repo.host.retry as { baseMs: number }).baseMs = 1;
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  const calm = new errors.SocketError('HTTP/2: "GOAWAY" frame received with code 11');
  assert.equal(await readAgainWhenSpoiled(repo, url, {}, () => false, failing([reset, calm])), 'read');
  assert.equal(stats.retries, 2);
});
