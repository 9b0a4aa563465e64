// Pushes one prepared artifact to every target repository as `<namespace>/<name>:<tag>`:
// decide per target (absent: copy; same digest: skip; other digest: conflict unless --force),
// copy the graph to those that need it, then read the tag back. One target's failure is its own.
import type { ManifestContent, Repository } from '../content/storage.js';
import type { CopyContext } from '../copy/context.js';
import { copyGraph } from '../copy/graph.js';
import { emptyTally, type Tally } from '../copy/tally.js';
import type { SyncAction, SyncResult, SyncTargetResult } from '../report/model.js';
import { decide, type Decision } from '../sync/classify.js';
import { RefusedContentError } from '../registry/refused-content.js';
import { ImmovableTagError } from '../registry/immutable-tag.js';
import { NotFoundError } from '../types/errors.js';

/** One target of the artifact, with how to print it. */
export interface PublishTarget {
  repo: Repository;
  display: string;
}

interface TargetWork {
  target: PublishTarget;
  previous: string | null;
  decision?: Decision;
  error?: string;
  tally: Tally;
}

/** Pushes `root` (served by ctx.src) under `tag` to every target; failures land in the result. */
export async function pushArtifact(source: string, root: ManifestContent, ctx: CopyContext, targets: PublishTarget[], tag: string, force: boolean): Promise<SyncResult> {
  const digest = root.descriptor.digest;
  const work = await Promise.all(targets.map((t) => inspect(t, tag, digest, force, ctx.signal)));
  const copying = work.filter((w) => w.decision === 'copy' || w.decision === 'forced');
  const copied = await copyGraph(ctx, root, copying.map((w) => w.target.repo), tag);
  for (const w of copying) {
    const r = copied.get(w.target.repo);
    if (r) w.tally = r.tally;
    if (r?.error) w.error = failureOf(r.error, source);
    else await proveTag(w, tag, digest, ctx.signal);
  }
  return { source, tag, sourceDigest: digest, targets: work.map((w) => finish(w, digest)) };
}

async function inspect(target: PublishTarget, tag: string, digest: string, force: boolean, signal?: AbortSignal): Promise<TargetWork> {
  const w: TargetWork = { target, previous: null, tally: emptyTally() };
  try {
    w.previous = (await target.repo.resolve(tag, { signal })).digest;
  } catch (err) {
    if (!(err instanceof NotFoundError)) {
      w.error = message(err);
      return w;
    }
  }
  w.decision = decide(digest, w.previous, force);
  return w;
}

/** Reads the tag back, so "copied" means the target really serves this digest. */
async function proveTag(w: TargetWork, tag: string, digest: string, signal?: AbortSignal): Promise<void> {
  try {
    const now = await w.target.repo.resolve(tag, { signal });
    if (now.digest !== digest) w.error = `after the push the tag points at ${now.digest}, not ${digest}`;
  } catch (err) {
    w.error = `after the push the tag cannot be read: ${message(err)}`;
  }
}

function finish(w: TargetWork, digest: string): SyncTargetResult {
  const action: SyncAction = w.error !== undefined ? 'failed' : w.decision === 'copy' ? 'copied' : (w.decision ?? 'failed');
  const detail = action === 'conflict' ? `target tag points at ${w.previous}; the release files give ${digest} (use --force to retarget)` : (w.error ?? '');
  const after = action === 'failed' ? null : action === 'conflict' ? w.previous : digest;
  return {
    repository: w.target.display,
    action,
    previousDigest: w.previous,
    digest: after,
    blobs: { copied: w.tally.copied, mounted: w.tally.mounted, existing: w.tally.existing },
    bytes: w.tally.bytes,
    referrers: 0,
    detail,
  };
}

/**
 * A copy's failure as the row says it. A registry refusing the artifact's kind (quay.io's 415 for
 * an artifactType off its allow-list) was told sync's ways out, 'or exclude the tag', which
 * publish has no use for: its own are another target or another artifactType. A tag an immutable
 * registry (ECR) will not move was told to 'run sync --force again', which publishes nothing.
 */
function failureOf(err: Error, entry: string): string {
  const cause = [err, err.cause].find((e) => e instanceof RefusedContentError || e instanceof ImmovableTagError);
  if (cause instanceof RefusedContentError) return err.message.replace(cause.advice, `leave this registry out of binaries "${entry}" targets, or give that entry an artifactType it accepts`);
  if (cause instanceof ImmovableTagError) return err.message.replace(cause.rerun, 'run `regmirror publish --force` again');
  return err.message;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
