// What a `missing-referrers` row lists, for the advice under a report (report/headline.ts): each
// kind is repaired by another sync. verify/referrer-check.ts and verify/target-parts.ts word two of
// them through these functions, and sync/tag-rows.ts the referrer tags a --force run retargets, so the
// advice reads the same words back, from a live run or from a report rendered from its JSON.

/** One kind of lack: `missing` (a plain sync copies it), `differs` (only `sync --force` retargets it), `parts` (only `sync --deep` looks below a referrer in place). */
export type ReferrerLack = 'missing' | 'differs' | 'parts';

/** A referrer tag the target holds at another digest (`verify --deep`). */
export function referrerDiffers(tag: string, have: string, want: string): string {
  return `${tag} differs (target ${have}, source ${want})`;
}

/** A referrer in place whose blobs or child manifests are absent (`verify --deep`). */
export function referrerPartsAbsent(name: string, absent: string[]): string {
  return `${name}: absent at the target: ${absent.join(', ')}`;
}

const DIFFERS = / differs \(target \S+, source \S+\)$/;
const PARTS = /: absent at the target: /;

/** The kinds a detail lists (its items joined by '; '); an item in no other words is `missing`. */
export function referrerLacks(detail: string): Set<ReferrerLack> {
  return new Set(detail.split('; ').map((item): ReferrerLack => (DIFFERS.test(item) ? 'differs' : PARTS.test(item) ? 'parts' : 'missing')));
}

/** Referrer tags a sync (or its plan) with --force retargets at a tag in place. */
export function referrersRetargeted(count: number, dryRun: boolean): string {
  return `${count} signature/attestation/SBOM tag(s) ${dryRun ? 'to retarget' : 'retargeted'} (another digest there)`;
}

const RETARGETS = /\d+ signature\/attestation\/SBOM tag\(s\) (to retarget|retargeted) \(another digest there\)/;

/** Whether a sync row's detail says it retargets referrer tags (what a sync without --force holds back). */
export function retargetsReferrers(detail: string): boolean {
  return RETARGETS.test(detail);
}
