// A `missing` row whose source lacks parts of the image (verify --deep, verify/source-parts.ts):
// worded here so the advice under a report (report/headline.ts) reads the same words back, from a
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
