// A proxy that carried this run's connections and then refused or reset new ones went down: its line
// says so, not that HTTPS_PROXY may name something else than a forward proxy (proxy-refusals.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';
import { proxyEnv } from '../../../src/registry/http/proxy-env.js';
import { unreachable } from '../../../src/registry/http/proxy-refusals.js';
import { awaitingReturn } from '../../../src/registry/http/proxy-return.js';

const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

test('a reset from a proxy that carried earlier connections says it went down, not that it is named wrong', () => {
  const route = proxyEnv({ HTTPS_PROXY: 'http://proxy.corp:3128' }).https!;
  assert.match(unreachable(route, 'quay.io:443', reset), /closed the connection without answering \(ECONNRESET\): check that HTTPS_PROXY names a forward proxy/);
  // One connection carried through it, as a sync's first requests are.
  const connected: buildConnector.connector = (_opts, callback) => callback(null, {} as Socket);
  awaitingReturn(route.proxy, connected)({} as buildConnector.Options, () => undefined);
  assert.equal(unreachable(route, 'quay.io:443', reset), 'quay.io:443: the proxy http://proxy.corp:3128 (HTTPS_PROXY) stopped taking connections (ECONNRESET) after carrying earlier ones of this run, and was not back within 30 s: it went down or is restarting; check that it runs, then run again, or exempt quay.io in NO_PROXY if it is reached without the proxy');
});
