// A target SIGSTOPped during `verify --deep` (verify5): the run took two 60 s answer timeouts
// (124 s) to exit 3. Each request in flight had seen one last answer arrive after it went out, so
// its timeout read as a slow host's and was asked again; and once one timeout did show the host
// silent, the requests already waiting on it (HTTP/2 streams) still waited out their own timeouts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from 'undici';
import { QUIET_MS, Silence } from '../../../src/registry/http/silence.js';
import { withRetry } from '../../../src/registry/http/retry.js';
import { UnreachableError } from '../../../src/types/errors.js';
import type { HttpRequest, HttpResponse } from '../../../src/registry/http/types.js';

describe('a host that stopped answering mid-run', () => {
  it('a timeout shows it silent when its last answer, though after the request went out, is QUIET_MS old', () => {
    const clock = { now: 1_000 };
    const s = new Silence('https://dst.example', 60_000, () => clock.now);
    const inFlight = s.sent();
    s.answered(); // the last answer before the host stopped, to an earlier request
    clock.now += 60_000;
    assert.equal(s.failed(inFlight, new errors.HeadersTimeoutError()), true);
    // A host that answered within QUIET_MS is slow, not silent: the timeout is asked again.
    const slow = new Silence('https://dst.example', 60_000, () => clock.now);
    const mark = slow.sent();
    clock.now += 55_000;
    slow.answered();
    clock.now += QUIET_MS - 1;
    assert.equal(slow.failed(mark, new errors.HeadersTimeoutError()), false);
  });

  it('a body\'s timeout is not enough for QUIET_MS: an HTTP/2 front end holding bodies answers nothing else meanwhile either (haproxy-h2-window)', () => {
    const clock = { now: 1_000 };
    const s = new Silence('https://dst.example', 60_000, () => clock.now);
    const put = s.sent();
    s.answered();
    clock.now += 60_000;
    assert.equal(s.failed(put, new errors.HeadersTimeoutError(), false), false);
    // With no answer at all since it went out, a body's timeout still shows it silent.
    assert.equal(s.failed(s.sent(), new errors.HeadersTimeoutError(), false), true);
  });

  it('its GETs and HEADs still waiting for an answer fail as it is shown silent, not after their own timeouts', async () => {
    const silence = new Silence('https://dst.example', 60_000);
    const policy = { maxAttempts: 5, baseMs: 1, maxDelayMs: 1, silence };
    let timeOut!: () => void;
    const send = withRetry('dst.example', policy, (req: HttpRequest) =>
      new Promise<HttpResponse>((_, reject) => {
        if (req.url.pathname.endsWith('/first')) timeOut = () => reject(new errors.HeadersTimeoutError());
        // The others never hear back: only their signal ends them.
        req.signal?.addEventListener('abort', () => reject(new Error('This operation was aborted')));
      }),
    );
    const req = (path: string): HttpRequest => ({ method: 'HEAD', url: new URL(`https://dst.example/v2/app/${path}`), scopes: [] });
    const first = send(req('first'));
    const waiting = [send(req('blobs/a')), send(req('manifests/b'))];
    await new Promise((r) => setImmediate(r));
    timeOut();
    await assert.rejects(first, UnreachableError);
    const settled = await Promise.race([Promise.allSettled(waiting), new Promise((r) => setTimeout(() => r('still waiting'), 1_000))]);
    assert.notEqual(settled, 'still waiting', 'the requests in flight waited on');
    for (const s of settled as PromiseSettledResult<unknown>[]) {
      assert.equal(s.status, 'rejected');
      assert.ok((s as PromiseRejectedResult).reason instanceof UnreachableError, String((s as PromiseRejectedResult).reason));
      assert.match(((s as PromiseRejectedResult).reason as Error).message, /dst\.example unreachable: HEAD https:\/\/dst\.example\/v2\/app\/\S+: it accepted the request but sent no answer in time \(UND_ERR_HEADERS_TIMEOUT\)/);
    }
  });
});
