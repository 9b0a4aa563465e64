// The decision for one (tag, target), as a pure function (SPEC "What a correct copy is").

/** What to do at a target whose tag holds `targetDigest` (null = tag absent). */
export type Decision = 'skip' | 'copy' | 'conflict' | 'forced';

/** Same digest: skip; absent: copy; different: a conflict unless retargeting is allowed. */
export function decide(sourceDigest: string, targetDigest: string | null, overwrite: boolean): Decision {
  if (targetDigest === null) return 'copy';
  if (targetDigest === sourceDigest) return 'skip';
  return overwrite ? 'forced' : 'conflict';
}
