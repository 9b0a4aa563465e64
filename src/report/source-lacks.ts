// A `missing` row whose source lacks parts of the image (verify --deep, verify/source-parts.ts), or
// a valid signature of it (`signatures`: sync refuses the tag, verify/trust.ts): worded here so the advice under a report (report/headline.ts) reads the same words back, from a
// live run or from a report rendered from its JSON.

/** The detail of a tag a target lacks whose source lacks `lost` parts of it too. */
export function lostAtSource(lost: string[]): string {
  return `tag absent at the target, and the source lacks ${lost.join(', ')} of it (lost from its storage): no sync can copy it until the source holds the image whole again`;
}

const LOST = /^tag absent at the target, and the source lacks /;

/** Whether a row's detail says its source lacks parts of the image. */
export function isLostAtSource(detail: string): boolean {
  return LOST.test(detail);
}

/** The detail of a tag a target lacks that sync refuses (`refusal`: the signature check's detail). */
export function refusedAtSource(refusal: string): string {
  return `tag absent at the target, and sync refuses it: ${refusal}`;
}

const REFUSED = /^tag absent at the target, and sync refuses it: /;

/** Whether a row's detail says sync refuses the tag (no valid signature at the source). */
export function isRefusedAtSource(detail: string): boolean {
  return REFUSED.test(detail);
}
