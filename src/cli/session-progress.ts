// A command's progress line, told what the session's registry client waits on: the longest
// unanswered request once nothing moved, the hosts slowed down after 429s, and each wait for a
// restarting registry or proxy as it begins and ends (said without -v). sync, plan, verify and publish build it alike.
import { createProgress, type Progress, type ProgressOptions } from '../ui/progress.js';
import type { Session } from './session.js';

export function sessionProgress(session: Session, opts: Omit<ProgressOptions, 'waitingOn' | 'slowedBy'>): Progress {
  const client = session.client;
  const progress = createProgress({ ...opts, waitingOn: (quietMs) => client.unanswered.describe(quietMs), slowedBy: () => client.paced() });
  session.client.sayWaitsTo((line) => progress.say(line));
  return progress;
}
