// A registry's error text reached the job log raw inside `::error` annotations (report hunt): a
// 403 whose message held ESC[31m and BEL came out of `verify` under GITHUB_ACTIONS=true as live
// escape sequences, which GitHub's log viewer (ANSI colors) and a terminal both act on, while every
// other view (table, markdown, XML) neutralizes them. Data now carries them as spaces; %, CR and
// LF keep their @actions/core encodings, so multi-line messages still read as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeData, workflowCommand } from '../../../src/ui/workflow-commands.js';

test('workflow-command data carries no terminal control characters', () => {
  const line = workflowCommand('error', { title: 'quay.io/a:v1\u001b[8m' }, 'GET 403: \u001b[31mred\u0007\u009b2J\u0000 100%\r\nnext\tline');
  assert.doesNotMatch(line.slice(0, -1), /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/, JSON.stringify(line));
  assert.equal(line, '::error title=quay.io/a%3Av1 [8m::GET 403:  [31mred  2J  100%25%0D%0Anext\tline\n');
  assert.equal(escapeData('a\r\nb'), 'a%0D%0Ab', 'line breaks keep their encoding');
});
