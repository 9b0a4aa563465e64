// The digest record as a value: sorted, stable serialization, first-recorded dates kept, the
// lock and signature rules of a tag, and what a sync result records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyLock, lockProblem, mergeLock, recorded, serializeLock, withEntries, type LockFile } from '../../../src/lock/record.js';
import { movedFrom } from '../../../src/sync/gate.js';
import { needsSignature } from '../../../src/trust/policy.js';
import { mirroredEntry } from '../../../src/sync/record.js';
import type { SyncResult, SyncTargetResult } from '../../../src/report/model.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

test('serialization sorts repositories and tags, whatever the insertion order, and ends with a newline', () => {
  let one = withEntries(emptyLock(), [{ source: 'quay.io/z', tag: 'v1.10.0', digest: A, recordedAt: '2026-01-01T00:00:00Z' }]);
  one = withEntries(one, [{ source: 'quay.io/a', tag: 'v1.2.0', digest: B, recordedAt: '2026-01-02T00:00:00Z' }]);
  one = withEntries(one, [{ source: 'quay.io/a', tag: 'v1.1.0', digest: A, recordedAt: '2026-01-03T00:00:00Z' }]);
  let two = withEntries(emptyLock(), [{ source: 'quay.io/a', tag: 'v1.1.0', digest: A, recordedAt: '2026-01-03T00:00:00Z' }]);
  two = withEntries(two, [{ source: 'quay.io/a', tag: 'v1.2.0', digest: B, recordedAt: '2026-01-02T00:00:00Z' }]);
  two = withEntries(two, [{ source: 'quay.io/z', tag: 'v1.10.0', digest: A, recordedAt: '2026-01-01T00:00:00Z' }]);
  assert.equal(serializeLock(one), serializeLock(two));
  const text = serializeLock(one);
  assert.ok(text.endsWith('}\n'));
  assert.ok(text.indexOf('quay.io/a') < text.indexOf('quay.io/z'));
  assert.ok(text.indexOf('v1.1.0') < text.indexOf('v1.2.0'));
  assert.ok(text.indexOf('"digest"') < text.indexOf('"recordedAt"'));
  assert.ok(text.startsWith('{\n  "version": 1,\n  "images": {\n'), 'the shape of the documented example');
  assert.deepEqual(JSON.parse(text), { version: 1, images: { 'quay.io/a': { 'v1.1.0': { digest: A, recordedAt: '2026-01-03T00:00:00Z' }, 'v1.2.0': { digest: B, recordedAt: '2026-01-02T00:00:00Z' } }, 'quay.io/z': { 'v1.10.0': { digest: A, recordedAt: '2026-01-01T00:00:00Z' } } } });
  assert.equal(lockProblem(JSON.parse(text)), undefined);
});

test('recording the same digest again keeps the first date; a new digest replaces it', () => {
  const first = withEntries(emptyLock(), [{ source: 'r', tag: 't', digest: A, recordedAt: '2026-01-01T00:00:00Z' }]);
  assert.equal(withEntries(first, [{ source: 'r', tag: 't', digest: A, recordedAt: '2027-01-01T00:00:00Z' }]), first);
  assert.deepEqual(recorded(withEntries(first, [{ source: 'r', tag: 't', digest: B, recordedAt: '2027-01-01T00:00:00Z' }]), 'r', 't'), { digest: B, recordedAt: '2027-01-01T00:00:00Z' });
  assert.equal(recorded(first, 'r', 'constructor'), undefined);
});

test('malformed records are named', () => {
  assert.match(lockProblem([]) ?? '', /not a JSON object/);
  assert.match(lockProblem({ version: 2, images: {} }) ?? '', /version/);
  assert.match(lockProblem({ version: 1, images: { r: { t: { digest: 'nope' } } } }) ?? '', /images\["r"\]\["t"\]/);
});

test('a tag is held only when recorded with another digest and not accepted', () => {
  const lock = withEntries(emptyLock(), [{ source: 'src', tag: 'v1.0.0', digest: A, recordedAt: '2026-01-01T00:00:00Z' }]);
  assert.equal(movedFrom(lock, 'src', 'v1.0.0', A, new Set()), undefined);
  assert.equal(movedFrom(lock, 'src', 'v2.0.0', B, new Set()), undefined);
  assert.match(movedFrom(lock, 'src', 'v1.0.0', B, new Set()) ?? '', new RegExp(`recorded ${A} .*source now ${B}.*--accept-moved v1.0.0`));
  assert.equal(movedFrom(lock, 'src', 'v1.0.0', B, new Set(['v1.0.0'])), undefined);
  assert.equal(movedFrom(undefined, 'src', 'v1.0.0', B, new Set()), undefined);
});

test('unsignedBefore exempts only older releases; floating tags are always checked', () => {
  const policy = { keys: [], algorithm: 'sha256' as const, unsignedBefore: 'v1.8.0' };
  assert.equal(needsSignature('v1.7.9', policy), false);
  assert.equal(needsSignature('1.7.0', policy), false);
  assert.equal(needsSignature('v1.8.0', policy), true);
  assert.equal(needsSignature('v1.8.0-rc.1', policy), false);
  assert.equal(needsSignature('latest', policy), true);
  assert.equal(needsSignature('v1.0.0', { keys: [], algorithm: 'sha256' }), true);
});

function row(action: SyncTargetResult['action'], digest: string | null): SyncTargetResult {
  return { repository: 'x', action, previousDigest: null, digest, blobs: { copied: 0, mounted: 0, existing: 0 }, bytes: 0, referrers: 0, detail: '' };
}

test('a sync result records its source digest only when some target holds it and nothing held the tag', () => {
  const now = new Date('2026-03-01T10:00:00.123Z');
  const result = (targets: SyncTargetResult[]): SyncResult => ({ source: 'ignored', tag: 'v1.0.0', sourceDigest: A, targets });
  // What a run records of the tag (sync/run.ts gathers these, then withEntries).
  const record = (r: SyncResult) => recorded(withEntries(emptyLock(), [mirroredEntry('src', r, now)].filter((u) => u !== undefined)), 'src', 'v1.0.0');
  assert.deepEqual(record(result([row('copied', A), row('failed', null)])), { digest: A, recordedAt: '2026-03-01T10:00:00Z' });
  assert.ok(record(result([row('skip', A)])));
  assert.equal(record(result([row('failed', null)])), undefined);
  assert.equal(record(result([row('refused', null)])), undefined);
  assert.equal(record(result([row('conflict', B)])), undefined);
});

// A backfill records thousands of tags of one repository: recorded one by one, the record was
// copied whole per tag (20,000 tags: minutes of CPU at the end of a sync, and the event loop
// stalled at each tag during it). Recorded at once, each repository's tags are copied once.
test('a run\'s tags are recorded at once: the repository\'s tags copied once, as one by one would record them', () => {
  let enumerations = 0;
  const existing = new Proxy({ 'v0.9.0': { digest: A, recordedAt: '2025-01-01T00:00:00Z' } } as LockFile['images'][string], {
    ownKeys: (t) => (enumerations++, Reflect.ownKeys(t)),
  });
  const current: LockFile = { version: 1, images: { src: existing, other: {} } };
  const updates = Array.from({ length: 2000 }, (_, i) => ({ source: 'src', tag: `v1.${i}.0`, digest: i % 2 ? A : B, recordedAt: '2026-01-01T00:00:00Z' }));
  updates.push({ source: 'src', tag: 'v0.9.0', digest: A, recordedAt: '2027-01-01T00:00:00Z' }, { source: 'src', tag: '__proto__', digest: B, recordedAt: '2026-01-01T00:00:00Z' });
  const after = withEntries(current, updates);
  assert.equal(enumerations, 1);
  assert.equal(after.images.other, current.images.other);
  assert.equal(Object.keys(after.images.src!).length, 2002);
  assert.equal(Object.getPrototypeOf(after.images.src), Object.prototype);
  assert.deepEqual(recorded(after, 'src', '__proto__'), { digest: B, recordedAt: '2026-01-01T00:00:00Z' });
  assert.equal(recorded(after, 'src', 'v0.9.0')?.recordedAt, '2025-01-01T00:00:00Z');
  assert.equal(Object.keys(existing).length, 1);
  const oneByOne = updates.reduce((l, u) => withEntries(l, [u]), { version: 1, images: { src: { 'v0.9.0': { digest: A, recordedAt: '2025-01-01T00:00:00Z' } }, other: {} } } as LockFile);
  assert.equal(serializeLock(after), serializeLock(oneByOne));
  // The end-of-run merge over what other shards wrote meanwhile goes the same way.
  enumerations = 0;
  assert.equal(serializeLock(mergeLock(current, emptyLock(), after)), serializeLock(after));
  assert.equal(enumerations, 1);
});
