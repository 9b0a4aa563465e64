// --shard auto: the shard of a Kubernetes Indexed Job, from JOB_COMPLETION_INDEX / JOB_COMPLETIONS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shardFromEnv } from '../../../src/config/workitems.js';
import { shardOf } from '../../../src/cli/common.js';
import { UsageError } from '../../../src/types/errors.js';

test('JOB_COMPLETION_INDEX is 0-based: index 0 of 3 is shard 1/3, index 2 is 3/3', () => {
  assert.deepEqual(shardFromEnv({ JOB_COMPLETION_INDEX: '0', JOB_COMPLETIONS: '3' }), { index: 1, count: 3 });
  assert.deepEqual(shardFromEnv({ JOB_COMPLETION_INDEX: '2', JOB_COMPLETIONS: '3' }), { index: 3, count: 3 });
  assert.deepEqual(shardOf('auto', { JOB_COMPLETION_INDEX: '1', JOB_COMPLETIONS: '4' }), { index: 2, count: 4 });
  assert.deepEqual(shardOf('2/5', {}), { index: 2, count: 5 });
});

test('a missing variable is named, with what to do', () => {
  assert.throws(() => shardFromEnv({ JOB_COMPLETIONS: '3' }), (e: unknown) => e instanceof UsageError && /JOB_COMPLETION_INDEX is not set/.test(e.message) && /--shard K\/N/.test(e.message));
  assert.throws(() => shardFromEnv({ JOB_COMPLETION_INDEX: '0' }), (e: unknown) => e instanceof UsageError && /JOB_COMPLETIONS is not set/.test(e.message));
  assert.throws(() => shardFromEnv({}), (e: unknown) => e instanceof UsageError && /JOB_COMPLETION_INDEX and JOB_COMPLETIONS are not set/.test(e.message));
});

test('inconsistent values are refused', () => {
  for (const [i, n] of [['3', '3'], ['-1', '3'], ['1', '0'], ['x', '3'], ['1.5', '3']] as const) {
    assert.throws(() => shardFromEnv({ JOB_COMPLETION_INDEX: i, JOB_COMPLETIONS: n }), (e: unknown) => e instanceof UsageError && /do not fit/.test(e.message), `${i}/${n}`);
  }
});
