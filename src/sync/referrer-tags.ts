// Referrer tags (cosign's sha256-HEX.sig/.att/.sbom, the OCI 1.1 fallback tag sha256-HEX), each
// copied by tag: present where a target holds it at the source's digest, a conflict where another.
import type { ManifestContent, Repository } from '../content/storage.js';
import { callOptions } from '../copy/context.js';
import { NotFoundError } from '../types/errors.js';
import { decide } from './classify.js';
import { message, record, refill, type Nested, type ReferrerJob, type ReferrerOutcome } from './referrer-job.js';

/** One referrer tag of the source, copied to the destinations that lack it (or, with overwrite, hold another digest there). */
export async function copyReferrerTag(job: ReferrerJob, tag: string, dsts: Repository[], outcomes: Map<Repository, ReferrerOutcome>, nested: Nested): Promise<void> {
  const { ctx } = job;
  // Skip early: a referrer tag every target already lists is taken as present without a request.
  // A retargeted signature can only be a conflict for sync anyway; `verify --deep` compares digests,
  // and --force (or overwrite) compares and rewrites.
  if (!job.overwrite && !job.deep && dsts.every((dst) => job.targetTags.get(dst)?.has(tag))) {
    for (const dst of dsts) outcomes.get(dst)!.present += 1;
    return;
  }
  // Where the tag lists were not read (sync --tag), each target is asked alongside the source's read: one round trip, not two.
  const asked = new Map(dsts.filter((dst) => !job.targetTags.get(dst)).map((dst) => [dst, dst.resolve(tag, callOptions(ctx)).catch(absentAsNull)]));
  for (const p of asked.values()) p.catch(() => {}); // awaited below, unless the source's read fails first
  let content: ManifestContent;
  try {
    content = await ctx.src.fetchManifest(tag, callOptions(ctx));
  } catch (err) {
    if (err instanceof NotFoundError) return; // deleted since the listing: nothing to carry
    for (const dst of dsts) outcomes.get(dst)?.errors.push(`${tag}: source: ${message(err)}`);
    return;
  }
  const toCopy: Repository[] = [];
  const retargets = new Set<Repository>();
  const inPlace: Repository[] = [];
  await Promise.all(
    dsts.map(async (dst) => {
      const out = outcomes.get(dst)!;
      try {
        // Not listed there (a probed target, sync --tag): asked, so a tag holding another digest is a conflict still.
        const listed = job.targetTags.get(dst);
        const current = !listed || listed.has(tag) ? (await (asked.get(dst) ?? dst.resolve(tag, callOptions(ctx)).catch(absentAsNull)))?.digest ?? null : null;
        const decision = decide(content.descriptor.digest, current, job.overwrite);
        if (decision === 'skip') {
          out.present += 1;
          inPlace.push(dst);
        }
        else if (decision === 'conflict') out.conflicts.push(`${tag} points at ${current}, source has ${content.descriptor.digest} (use --force to retarget)`);
        else {
          toCopy.push(dst);
          if (decision === 'forced') retargets.add(dst);
        }
      } catch (err) {
        out.errors.push(`${tag}: ${message(err)}`);
      }
    }),
  );
  const [results] = await Promise.all([
    nested(content, job.copyTag(content, toCopy, tag, job.subjectPlaced)),
    job.deep ? refill(job, content, inPlace, outcomes, tag) : undefined,
  ]);
  for (const [dst, r] of results) {
    record(outcomes.get(dst), r, tag);
    // Said apart from a copy: a plan's advice must keep the --force it was made with (report/headline.ts).
    if (!r.error && retargets.has(dst)) outcomes.get(dst)!.retargeted += 1;
  }
}

function absentAsNull(err: unknown): null {
  if (err instanceof NotFoundError) return null;
  throw err;
}
