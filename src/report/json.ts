// The machine format: exactly the model, keys in SPEC order, whatever order the objects were built in.
import { isSyncReport, type AnyReport, type SyncReport, type VerifyReport } from './model.js';

function verifyShape(r: VerifyReport): VerifyReport {
  const s = r.summary;
  return {
    version: 1,
    generatedAt: r.generatedAt,
    ...(r.interrupted ? { interrupted: true as const } : {}),
    ...(r.shard ? { shard: r.shard } : {}),
    summary: { repositories: s.repositories, tags: s.tags, targets: s.targets, inSync: s.inSync, drift: s.drift, errors: s.errors },
    results: r.results.map((x) => ({
      source: x.source,
      tag: x.tag,
      sourceDigest: x.sourceDigest,
      ...(x.binaries ? { binaries: true as const } : {}),
      targets: x.targets.map((t) => ({ repository: t.repository, status: t.status, digest: t.digest, detail: t.detail })),
    })),
  };
}

function syncShape(r: SyncReport): SyncReport {
  const s = r.summary;
  return {
    version: 1,
    kind: r.kind,
    generatedAt: r.generatedAt,
    ...(r.interrupted ? { interrupted: true as const } : {}),
    ...(r.shard ? { shard: r.shard } : {}),
    summary: {
      repositories: s.repositories,
      tags: s.tags,
      targets: s.targets,
      copied: s.copied,
      skipped: s.skipped,
      conflicts: s.conflicts,
      failed: s.failed,
      ...(s.refused ? { refused: s.refused } : {}),
      ...(s.moved ? { moved: s.moved } : {}),
      bytes: s.bytes,
    },
    results: r.results.map((x) => ({
      source: x.source,
      tag: x.tag,
      sourceDigest: x.sourceDigest,
      targets: x.targets.map((t) => ({
        repository: t.repository,
        action: t.action,
        previousDigest: t.previousDigest,
        digest: t.digest,
        blobs: { copied: t.blobs.copied, mounted: t.blobs.mounted, existing: t.blobs.existing, ...(t.blobs.foreign ? { foreign: t.blobs.foreign } : {}) },
        bytes: t.bytes,
        // Without it, a rendered or merged report would read skopeo's uncounted bytes as 0 B sent.
        ...(t.engine ? { engine: t.engine } : {}),
        referrers: t.referrers,
        detail: t.detail,
      })),
    })),
  };
}

/** A copy of the report holding only the model's fields, in the model's (SPEC's) key order. */
export function canonicalReport(report: AnyReport): AnyReport {
  return isSyncReport(report) ? syncShape(report) : verifyShape(report);
}

/** 2-space JSON of the report, newline-terminated. */
export function renderJson(report: AnyReport): string {
  return JSON.stringify(canonicalReport(report), null, 2) + '\n';
}
