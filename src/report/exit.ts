// SPEC's verify exit codes, decided from the rows rather than a summary that could be stale.
import type { VerifyReport } from './model.js';
import { isDrift } from './summary.js';

/** 3 when any row is an error (audit incomplete), else 1 when any drift, else 0. */
export function exitCodeForVerify(report: VerifyReport): 0 | 1 | 3 {
  let drift = false;
  for (const r of report.results) {
    for (const t of r.targets) {
      if (t.status === 'error') return 3;
      if (isDrift(t.status)) drift = true;
    }
  }
  return drift ? 1 : 0;
}
