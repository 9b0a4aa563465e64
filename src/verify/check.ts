// One (tag, target) audit: in the target, at the source's digest, whole (--deep), signed, with
// its referrers; the source facts it reads are shared by every target (source-facts.ts).
import { missingRepositoryOf, type ManifestContent } from '../content/storage.js';
import type { TargetState } from '../inventory/inventory.js';
import type { VerifyTargetResult } from '../report/model.js';
import { NotFoundError } from '../types/errors.js';
import { namesSameBytes } from '../types/digest.js';
import type { UnsignedCheck } from './trust.js';
import { lostAtSource, refusedAtSource } from '../report/source-lacks.js';
import { partsLostAtSource } from './source-parts.js';
import type { SourceFacts } from './source-facts.js';
import { absentParts } from './target-parts.js';
import { lackingReferrers } from './referrer-check.js';

export interface CheckOptions {
  deep: boolean;
  referrers: boolean;
  signal?: AbortSignal;
  /** `signatures` configured: the target's image must carry a valid signature there. */
  unsigned?: UnsignedCheck;
  /** `signatures` configured: why sync would refuse the tag, for a target that lacks it (verify/trust.ts sourceRefusal). */
  refusal?: () => Promise<string | undefined>;
}

/** in-sync / missing / mismatch / incomplete / missing-referrers / error for one target. */
export async function checkTarget(t: TargetState, tag: string, root: ManifestContent, facts: SourceFacts, opts: CheckOptions): Promise<VerifyTargetResult> {
  const repository = t.target.display;
  const want = root.descriptor.digest;
  // A probe's failure names its own request (HEAD …/manifests/TAG), a listing's needs saying.
  if (t.error) return { repository, status: 'error', digest: null, detail: t.probed ? t.error.message : `cannot list tags: ${t.error.message}` };
  if (!t.tags?.has(tag)) return { repository, status: 'missing', digest: null, detail: inMissingRepository(t, await missingDetail(root, facts, opts)) };
  try {
    const have = t.probed?.get(tag) ?? (await t.repo.resolve(tag, { signal: opts.signal })).digest;
    if (!namesSameBytes(root.bytes, want, have)) return { repository, status: 'mismatch', digest: have, detail: `target has ${have}, source has ${want}` };
    if (opts.deep) {
      const absent = await absentParts(t.repo, root, facts, opts.signal);
      if (absent.length > 0) return { repository, status: 'incomplete', digest: have, detail: `absent at the target: ${absent.join(', ')}` };
    }
    const unsigned = opts.unsigned && (await opts.unsigned(t, root.descriptor));
    if (unsigned) return { repository, status: 'unsigned', digest: have, detail: unsigned };
    if (opts.referrers) {
      const lacking = await lackingReferrers(t, root, facts, opts.deep, opts.signal);
      if (lacking.length > 0) return { repository, status: 'missing-referrers', digest: have, detail: lacking.join('; ') };
    }
    return { repository, status: 'in-sync', digest: have, detail: '' };
  } catch (err) {
    if (err instanceof NotFoundError) return { repository, status: 'missing', digest: null, detail: await missingDetail(root, facts, { ...opts, deep: false }) };
    return { repository, status: 'error', digest: null, detail: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * A target whose registry said, listed, that the repository does not exist and creates none on
 * push (ECR): "run regmirror sync" alone fails there, so the row says what to do first.
 */
function inMissingRepository(t: TargetState, detail: string): string {
  const missing = missingRepositoryOf(t.repo);
  return missing ? `${detail}: ${missing.message}` : detail;
}

// A missing tag that sync would refuse says so: "run regmirror sync" would not bring it.
async function missingDetail(root: ManifestContent, facts: SourceFacts, opts: CheckOptions): Promise<string> {
  const refused = await opts.refusal?.();
  if (refused) return refusedAtSource(refused);
  return opts.deep ? absentDetail(root, facts) : 'tag absent at the target';
}

/** A tag absent at the target, under --deep: and whether its source can give it (source-parts.ts). */
async function absentDetail(root: ManifestContent, facts: SourceFacts): Promise<string> {
  const lost = await partsLostAtSource(root, facts);
  return lost.length > 0 ? lostAtSource(lost) : 'tag absent at the target';
}
