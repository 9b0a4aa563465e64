// withTlsVerdicts: a refused certificate fails its origin's later requests at once and is said
// once; in a run for good, in the gateway for `lastingMs`, after which the origin is asked again.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable } from 'node:stream';
import { withTlsVerdicts } from '../../../src/registry/http/tls-errors.js';
import { TlsError } from '../../../src/types/errors.js';
import type { HttpRequest, HttpResponse } from '../../../src/registry/http/types.js';

/** A registry whose certificate is refused while `expired` is true; counts what reaches it. */
function registry() {
  const state = { expired: true, asked: 0 };
  const send = async (req: HttpRequest): Promise<HttpResponse> => {
    state.asked++;
    if (state.expired) throw new TlsError(req.url.host, 'expired', `${req.url.host}: its TLS certificate has expired`);
    return { status: 200, headers: {}, body: Readable.from([]), url: req.url };
  };
  return { state, send };
}

const req = (): HttpRequest => ({ method: 'GET', url: new URL('https://quay.example/v2/'), scopes: [] });

it('a run believes a refused certificate for good: later requests fail at once, said once', async () => {
  const { state, send } = registry();
  const said: string[] = [];
  const verdicts = withTlsVerdicts(send, (e) => said.push(e.message));
  for (let i = 0; i < 3; i++) await assert.rejects(verdicts(req()), TlsError);
  state.expired = false;
  await assert.rejects(verdicts(req()), TlsError);
  assert.equal(state.asked, 1);
  assert.equal(said.length, 1);
});

it('the gateway asks again after lastingMs: a renewed certificate is used; a refusal after that is said again', async () => {
  const { state, send } = registry();
  const said: string[] = [];
  const verdicts = withTlsVerdicts(send, (e) => said.push(e.message), undefined, 20);
  await assert.rejects(verdicts(req()), TlsError);
  await assert.rejects(verdicts(req()), TlsError);
  assert.equal(state.asked, 1, 'believed within lastingMs');
  await sleep(30);
  await assert.rejects(verdicts(req()), TlsError);
  assert.equal(state.asked, 2, 'asked again after lastingMs');
  assert.equal(said.length, 1, 'still refused: not said again');
  await sleep(30);
  state.expired = false;
  assert.equal((await verdicts(req())).status, 200);
  state.expired = true;
  await assert.rejects(verdicts(req()), TlsError);
  assert.equal(said.length, 2, 'refused anew after it answered: said again');
});
