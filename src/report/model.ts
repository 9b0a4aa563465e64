// The reports regmirror writes; the verify shape is SPEC.md's "verify report (JSON)", field for field.

/** Per (tag, target) audit outcome (SPEC: status). */
export type VerifyStatus = 'in-sync' | 'missing' | 'mismatch' | 'extra' | 'incomplete' | 'missing-referrers' | 'error' | 'unsigned' | 'source-moved';

export interface VerifyTargetResult {
  /** `ghcr.io/cert-manager/cert-manager-controller` */
  repository: string;
  status: VerifyStatus;
  /** Digest the target's tag points at; null when absent or unknown. */
  digest: string | null;
  /** Why, for anything but in-sync ("" otherwise). Never contains credentials. */
  detail: string;
}

export interface VerifyResult {
  source: string;
  tag: string;
  /** null for `extra` rows (the source lacks the tag) and for source errors. */
  sourceDigest: string | null;
  /** A binaries entry's row: what its targets lack, `regmirror publish` pushes (sync copies images only). */
  binaries?: true;
  targets: VerifyTargetResult[];
}

export interface VerifySummary {
  repositories: number;
  tags: number;
  targets: number;
  inSync: number;
  drift: number;
  errors: number;
}

export interface VerifyReport {
  version: 1;
  generatedAt: string;
  /** Set when SIGINT/SIGTERM stopped the run, and in sync's --report until the run ends (cli/report-journal.ts): only the rows that finished are here (merge says so). */
  interrupted?: true;
  /** `--shard K/N` of the run ("2/4"): report merge names the shards none of its files holds. */
  shard?: string;
  summary: VerifySummary;
  results: VerifyResult[];
}

/** What sync did (or, for plan / --dry-run, would do) for one (tag, target). */
/** `refused`: the signature check failed (detail names why); `source-moved`: held, the source tag left the recorded digest. */
export type SyncAction = 'copy' | 'copied' | 'skip' | 'conflict' | 'forced' | 'failed' | 'refused' | 'source-moved';

export interface SyncTargetResult {
  repository: string;
  action: SyncAction;
  /** Digest at the target before this run (null when the tag was absent). */
  previousDigest: string | null;
  /** Digest at the target after this run (null when planned, or failed before the tag was written; a tag in place whose referrers failed has it). */
  digest: string | null;
  /**
   * Blob counts: to copy (plan) or copied; mounted; already present; `foreign`, when any: foreign
   * layers left at their URLs, neither read nor written (types/foreign.ts).
   */
  blobs: { copied: number; mounted: number; existing: number; foreign?: number };
  /** Bytes uploaded (sync) or to upload (plan). */
  bytes: number;
  /** `skopeo` when `engine: skopeo` copied it: `blobs` and `bytes` are then not counted (0). */
  engine?: 'skopeo';
  /** Referrer tags (cosign .sig/.att/.sbom, fallback index) carried along. */
  referrers: number;
  detail: string;
}

export interface SyncResult {
  source: string;
  tag: string;
  sourceDigest: string | null;
  targets: SyncTargetResult[];
}

export interface SyncSummary {
  repositories: number;
  tags: number;
  targets: number;
  copied: number;
  skipped: number;
  conflicts: number;
  failed: number;
  /** Tags refused by the signature check (absent from reports written before signatures existed). */
  refused?: number;
  /** Tags held because the source moved from the recorded digest (idem). */
  moved?: number;
  bytes: number;
}

export interface SyncReport {
  version: 1;
  // publish: the same rows (copied, skip, conflict, failed), said as what `regmirror publish` did.
  kind: 'sync' | 'plan' | 'publish';
  generatedAt: string;
  /** As VerifyReport's. */
  interrupted?: true;
  shard?: string;
  summary: SyncSummary;
  results: SyncResult[];
}

/** Verify reports carry no `kind` (SPEC shape); sync/plan reports do. */
export type AnyReport = VerifyReport | SyncReport;

export function isSyncReport(r: AnyReport): r is SyncReport {
  const kind = (r as SyncReport).kind;
  return kind === 'sync' || kind === 'plan' || kind === 'publish';
}
