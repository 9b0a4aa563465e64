// A command's progress line, told what the session's registry client waits on: the longest
// unanswered request once nothing moved, and each wait for a restarting registry or proxy as it
// begins and ends (said without -v). sync, plan, verify and publish build it alike.
import { createProgress, type Progress, type ProgressOptions } from '../ui/progress.js';
import type { Session } from './session.js';

export function sessionProgress(session: Session, opts: Omit<ProgressOptions, 'waitingOn'>): Progress {
  const progress = createProgress({ ...opts, waitingOn: (quietMs) => session.client.unanswered.describe(quietMs) });
  session.client.sayWaitsTo((line) => progress.say(line));
  return progress;
}
