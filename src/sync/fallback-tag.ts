// Referrers found through the source's referrers API, at a destination without that API: after
// they are pushed there, their subject's fallback tag `sha256-HEX` is written or extended so that
// clients (and `verify`) can find them (distribution spec 1.1, "Pushing manifests with subject").
import type { Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { OCI_INDEX } from '../types/mediatype.js';
import { sha256 } from '../types/digest.js';
import { fallbackTagBytes, fallbackTagOf, lacksReferrersApi, planFallbackIndex } from '../content/fallback-index.js';
import type { ReferrerJob, ReferrerOutcome } from './referrer-job.js';

/**
 * Writes the fallback tag of `subject` at each destination that has no referrers API, listing the
 * referrers copied there (`copied`) along with whatever the tag lists already. A source that has
 * the fallback tag itself had it copied byte for byte: that copy is not rebuilt.
 */
export async function updateFallbackTags(job: ReferrerJob, subject: Descriptor, copied: Map<Repository, Descriptor[]>, outcomes: Map<Repository, ReferrerOutcome>): Promise<void> {
  const tag = fallbackTagOf(subject.digest);
  if (job.sourceTags.has(tag)) return;
  await Promise.all(
    [...copied].map(async ([dst, referrers]) => {
      const out = outcomes.get(dst);
      if (!out || referrers.length === 0) return;
      try {
        await updateOne(job, dst, tag, subject, referrers, out);
      } catch (err) {
        out.errors.push(`${tag} (fallback tag for the referrers of ${subject.digest}): ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
}

async function updateOne(job: ReferrerJob, dst: Repository, tag: string, subject: Descriptor, referrers: Descriptor[], out: ReferrerOutcome): Promise<void> {
  const { signal, dryRun } = job.ctx;
  if (!(await lacksReferrersApi(dst, subject, { signal }))) return;
  const plan = planFallbackIndex(await fallbackTagBytes(dst, tag, job.targetTags.get(dst), { signal }), referrers);
  if (plan.kind === 'current') {
    out.present += 1;
    return;
  }
  if (plan.kind === 'foreign') {
    out.conflicts.push(`${tag} holds ${plan.why}, so it cannot list the referrers of ${subject.digest}; left as it is`);
    return;
  }
  const desc: Descriptor = { mediaType: OCI_INDEX, digest: sha256(plan.bytes), size: plan.bytes.byteLength };
  if (!dryRun) await dst.tag(desc, plan.bytes, tag, { signal });
  out.copied += 1;
  out.tally.manifests += 1;
}
