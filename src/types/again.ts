// Whether a request repeats one that failed, for -v's retry count (CallOptions.again): shared by
// the copier, which repeats operations, and the registry client, which counts their requests.

/** A repeat counted as one retry however many requests it takes (an upload sent again in chunks). */
export interface OneRetry {
  counted: boolean;
}

/** true: each request counts as a retry; a OneRetry: its first request only. */
export type Again = boolean | OneRetry;

/** Whether a request sent under `again` counts as a retry; a OneRetry counts for its first request only. */
export function countsAsRetry(again: Again | undefined): boolean {
  if (typeof again !== 'object') return again === true;
  if (again.counted) return false;
  again.counted = true;
  return true;
}
