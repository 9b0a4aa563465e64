// Upload sessions a push leaves behind are cancelled: DELETE on the session's URL (distribution
// API "Canceling an upload", 204), as regclient does with the session a refused mount opened. A
// registry otherwise keeps each one, with the bytes a cut PUT or PATCH left in it, until it purges
// them (distribution: after a week), and a backfill over a flaky link leaves one behind per failed
// upload. Best effort: one request within CANCEL_MS, never retried, any answer taken (404: gone
// already; 405: a registry that cannot cancel); nothing of it fails the run or counts as a retry.
import type { HostContext } from './host.js';
import { sessionPath } from './blobs.js';
import { repositoryScope } from './repo-context.js';
import { discard } from './http/body.js';
import { displayUrl, header } from './http/types.js';

/** How long a cancel may take: a registry that is up answers a DELETE at once, and a run's end waits for it. */
const CANCEL_MS = 5_000;

/** The cancels under way on each host, for the run's end to wait for (settleUploads). */
const underWay = new WeakMap<HostContext, Set<Promise<void>>>();

/** Cancels the session at `location`, under a token for `scopes` (its repository's push), in the background. */
export function cancelUpload(host: HostContext, scopes: string[], location: URL): void {
  let pending = underWay.get(host);
  if (!pending) underWay.set(host, (pending = new Set()));
  const cancel = sendCancel(host, scopes, location);
  pending.add(cancel);
  void cancel.finally(() => pending.delete(cancel));
}

/**
 * At a run's end: waits for the cancels under way, and cancels each session opened ahead of a push
 * that no push took (upload.ts openUpload, a mount's 202: the blob's reads all failed).
 */
export async function settleUploads(host: HostContext): Promise<void> {
  const left = [...host.uploadSessions];
  host.uploadSessions.clear();
  // A session that failed to open has nothing to cancel.
  const opened = await Promise.all(left.map(([key, session]) => Promise.resolve(session).then((location) => ({ key, location }), () => undefined)));
  for (const session of opened) if (session) cancelUpload(host, [repositoryScope(sessionPath(session.key), 'push')], session.location);
  await Promise.all([...(underWay.get(host) ?? [])]);
}

async function sendCancel(host: HostContext, scopes: string[], location: URL): Promise<void> {
  const logger = host.options.logger;
  try {
    const res = await host.send({ method: 'DELETE', url: location, scopes, noRetry: true, signal: AbortSignal.timeout(CANCEL_MS) });
    discard(res.body, header(res, 'content-length'));
    logger.debug(`${host.host}: upload session ${displayUrl(location)} left behind, cancelled: ${res.status}`);
  } catch (err) {
    logger.debug(`${host.host}: upload session ${displayUrl(location)} left behind, not cancelled: ${err instanceof Error ? err.message : String(err)}`);
  }
}
