// Tags at one digest share its referrers: the first claims them per destination, the later ones
// take over what that handling left to report, named after the tag that handled them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRepository } from '../../../src/content/memory.js';
import { CopyLedger } from '../../../src/copy/ledger.js';
import { emptyTally } from '../../../src/copy/tally.js';
import { emptyReferrerOutcome, type ReferrerOutcome } from '../../../src/sync/referrer-job.js';
import { shareReferrers } from '../../../src/sync/shared-referrers.js';
import type { Repository } from '../../../src/content/storage.js';

const digest = `sha256:${'a'.repeat(64)}`;

function outcomesFor(...dsts: Repository[]): Map<Repository, ReferrerOutcome> {
  return new Map(dsts.map((d) => [d, emptyReferrerOutcome(emptyTally())]));
}

describe('shareReferrers', () => {
  it('the first tag handles each destination once; a later tag takes over its problems, not its copies', async () => {
    const ledger = new CopyLedger();
    const [a, b] = [new MemoryRepository('a'), new MemoryRepository('b')];
    const first = outcomesFor(a, b);
    const mine = shareReferrers(ledger, digest, [a, b], first, 'v1.2.3');
    assert.deepEqual(mine.mine, [a, b]);
    const later = outcomesFor(a, b);
    const theirs = shareReferrers(ledger, digest, [a, b], later, 'latest');
    assert.deepEqual(theirs.mine, []);
    mine.outcomes.get(a)!.copied += 2;
    mine.outcomes.get(b)!.copied += 1;
    mine.outcomes.get(b)!.errors.push('sha256-x.sig: refused');
    mine.outcomes.get(b)!.conflicts.push('sha256-x.att points at y');
    mine.done();
    await theirs.inherited;
    assert.deepEqual([first.get(a)!.copied, first.get(b)!.copied, first.get(b)!.errors], [2, 1, ['sha256-x.sig: refused']]);
    assert.deepEqual([later.get(a)!.copied, later.get(a)!.errors, later.get(a)!.conflicts], [0, [], []]);
    assert.deepEqual(later.get(b)!.errors, ['shared with v1.2.3: sha256-x.sig: refused']);
    assert.deepEqual(later.get(b)!.conflicts, ['shared with v1.2.3: sha256-x.att points at y']);
  });

  it('runs do not share: another ledger handles the digest again', () => {
    const a = new MemoryRepository('a');
    shareReferrers(new CopyLedger(), digest, [a], outcomesFor(a), 'v1');
    assert.deepEqual(shareReferrers(new CopyLedger(), digest, [a], outcomesFor(a), 'v2').mine, [a]);
  });
});
