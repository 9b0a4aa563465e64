import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerTimes, HEDGE_MIN_MS, hedgedInTurn, type Tried } from '../../../src/serve/hedge.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An attempt per backend name: 'ok@MS' answers after MS, 'fail@MS' fails after MS, 'silent' never answers until abandoned. */
function script(plan: Record<string, string>, started: string[], abandoned: string[]) {
  return async (b: string, abandon: AbortSignal): Promise<Tried<string>> => {
    started.push(b);
    abandon.addEventListener('abort', () => abandoned.push(b));
    const [what, ms] = plan[b]!.split('@');
    await sleep(what === 'silent' ? 400 : Number(ms));
    return what === 'fail' ? { ok: false, error: new Error(b) } : what === 'silent' ? { ok: false, error: new Error(`${b} timed out`) } : { ok: true, value: b };
  };
}
const opts = { mayAsk: () => true, hedgeMs: () => 50, stopped: () => false };

test('a first backend that answers within its hedge delay: no other is asked', async () => {
  const started: string[] = [];
  const r = await hedgedInTurn(['a', 'b'], script({ a: 'ok@5', b: 'ok@1' }, started, []), opts);
  assert.deepEqual([r.ok && r.value, started], ['a', ['a']]);
});

test('a silent first backend: the next is asked beside it after the delay, its answer taken, the silent one left to its deadline', async () => {
  const started: string[] = [];
  const r = await hedgedInTurn(['a', 'b', 'c'], script({ a: 'silent', b: 'ok@5', c: 'ok@1' }, started, []), opts);
  assert.deepEqual([r.ok && r.backend, started], ['b', ['a', 'b']]);
});

test('a failure asks the next at once; every one failing gives every failure; a late answer is let go', async () => {
  const started: string[] = [];
  const failed = await hedgedInTurn(['a', 'b'], script({ a: 'fail@1', b: 'fail@1' }, started, []), { ...opts, hedgeMs: () => 10_000 });
  assert.deepEqual([failed.ok, !failed.ok && failed.errors.length, started], [false, 2, ['a', 'b']]);
  const abandoned: string[] = [];
  const r = await hedgedInTurn(['a', 'b'], script({ a: 'ok@120', b: 'ok@5' }, [], abandoned), opts);
  assert.equal(r.ok && r.backend, 'b');
  await sleep(150);
  assert.deepEqual(abandoned, ['a'], 'its answer came after B\'s: its body let go');
});

test('hedge delay: four times a host\'s usual answer time, at least 1 s, at most half the deadline', () => {
  const t = new AnswerTimes(5000);
  assert.equal(t.hedgeMs('new'), HEDGE_MIN_MS);
  t.observe('near', 20);
  assert.equal(t.hedgeMs('near'), HEDGE_MIN_MS);
  t.observe('far', 500);
  assert.equal(t.hedgeMs('far'), 2000);
  t.observe('slow', 3000);
  assert.equal(t.hedgeMs('slow'), 2500);
});

test('asked beside a silent backend: the next on another host first, a namespace of the same registry after', async () => {
  const started: string[] = [];
  const hostOf = (b: string) => b.split('/')[0]!;
  const r = await hedgedInTurn(['quay/cert-manager', 'quay/jetstack', 'ghcr/cert-manager'], script({ 'quay/cert-manager': 'silent', 'quay/jetstack': 'silent', 'ghcr/cert-manager': 'ok@5' }, started, []), { ...opts, hostOf });
  assert.deepEqual([r.ok && r.backend, started], ['ghcr/cert-manager', ['quay/cert-manager', 'ghcr/cert-manager']]);
  // A failure asks the next in the list at once, the same host or not, as before.
  const after: string[] = [];
  const failed = await hedgedInTurn(['quay/a', 'quay/b', 'ghcr/c'], script({ 'quay/a': 'fail@1', 'quay/b': 'ok@1', 'ghcr/c': 'ok@1' }, after, []), { ...opts, hostOf, hedgeMs: () => 10_000 });
  assert.deepEqual([failed.ok && failed.backend, after], ['quay/b', ['quay/a', 'quay/b']]);
});
