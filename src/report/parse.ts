// Reads a saved report back (for `report merge` / `report render`), refusing anything else.
import { UsageError } from '../types/errors.js';
import type { AnyReport, SyncAction, SyncSummary, SyncTargetResult, VerifyStatus, VerifySummary, VerifyTargetResult } from './model.js';

const statuses: readonly VerifyStatus[] = ['in-sync', 'missing', 'mismatch', 'extra', 'incomplete', 'missing-referrers', 'error', 'unsigned', 'source-moved'];
const actions: readonly SyncAction[] = ['copy', 'copied', 'skip', 'conflict', 'forced', 'failed', 'refused', 'source-moved'];
const verifyCounts = ['repositories', 'tags', 'targets', 'inSync', 'drift', 'errors'] as const;
const syncCounts = ['repositories', 'tags', 'targets', 'copied', 'skipped', 'conflicts', 'failed', 'bytes'] as const;

type Obj = Record<string, unknown>;

// Each reader names the path of what it rejects, so the message points at the bad field.
class Reader {
  constructor(readonly file: string) {}
  fail(path: string, what: string): never {
    throw new UsageError(`${this.file}: not a regmirror report: ${path} ${what}`);
  }
  obj(v: unknown, path: string): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'is not an object');
    return v as Obj;
  }
  arr(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'is not an array');
    return v;
  }
  str(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, 'is not a string');
    return v;
  }
  digest(v: unknown, path: string): string | null {
    return v === null ? null : this.str(v, path);
  }
  num(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) this.fail(path, 'is not a non-negative number');
    return v;
  }
  oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string): T {
    if (!allowed.includes(v as T)) this.fail(path, `is not one of ${allowed.join(', ')}`);
    return v as T;
  }
  counts<K extends string>(v: unknown, keys: readonly K[], path: string): Record<K, number> {
    const o = this.obj(v, path);
    return Object.fromEntries(keys.map((k) => [k, this.num(o[k], `${path}.${k}`)])) as Record<K, number>;
  }
}

function verifyTarget(rd: Reader, v: unknown, p: string): VerifyTargetResult {
  const t = rd.obj(v, p);
  return { repository: rd.str(t.repository, `${p}.repository`), status: rd.oneOf(t.status, statuses, `${p}.status`), digest: rd.digest(t.digest, `${p}.digest`), detail: rd.str(t.detail, `${p}.detail`) };
}

function syncTarget(rd: Reader, v: unknown, p: string): SyncTargetResult {
  const t = rd.obj(v, p);
  const blobs: SyncTargetResult['blobs'] = rd.counts(t.blobs, ['copied', 'mounted', 'existing'] as const, `${p}.blobs`);
  const foreign = (t.blobs as { foreign?: unknown }).foreign;
  if (foreign !== undefined) blobs.foreign = rd.num(foreign, `${p}.blobs.foreign`);
  return {
    repository: rd.str(t.repository, `${p}.repository`),
    action: rd.oneOf(t.action, actions, `${p}.action`),
    previousDigest: rd.digest(t.previousDigest, `${p}.previousDigest`),
    digest: rd.digest(t.digest, `${p}.digest`),
    blobs,
    bytes: rd.num(t.bytes, `${p}.bytes`),
    ...(t.engine === undefined ? {} : { engine: rd.oneOf(t.engine, ['skopeo'] as const, `${p}.engine`) }),
    referrers: rd.num(t.referrers, `${p}.referrers`),
    detail: rd.str(t.detail, `${p}.detail`),
  };
}

/** Parses and validates a saved report; UsageError naming `file` when it is not one of ours. */
export function parseReport(text: string, file: string): AnyReport {
  const rd = new Reader(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not a regmirror report: invalid JSON (${(err as Error).message})`);
  }
  const top = rd.obj(json, 'the document');
  if (top.version !== 1) rd.fail('version', 'is not 1');
  const generatedAt = rd.str(top.generatedAt, 'generatedAt');
  if (top.interrupted !== undefined && top.interrupted !== true) rd.fail('interrupted', 'is not true');
  if (top.shard !== undefined && !/^\d+\/\d+$/.test(rd.str(top.shard, 'shard'))) rd.fail('shard', 'is not K/N');
  const marks = { ...(top.interrupted === true ? { interrupted: true as const } : {}), ...(typeof top.shard === 'string' ? { shard: top.shard } : {}) };
  const results = rd.arr(top.results, 'results').map((v, i) => {
    const r = rd.obj(v, `results[${i}]`);
    if (r.binaries !== undefined && r.binaries !== true) rd.fail(`results[${i}].binaries`, 'is not true');
    return { source: rd.str(r.source, `results[${i}].source`), tag: rd.str(r.tag, `results[${i}].tag`), sourceDigest: rd.digest(r.sourceDigest, `results[${i}].sourceDigest`), ...(r.binaries === true ? { binaries: true as const } : {}), targets: rd.arr(r.targets, `results[${i}].targets`) };
  });
  if (top.kind === undefined) {
    const summary: VerifySummary = rd.counts(top.summary, verifyCounts, 'summary');
    const verified = results.map((r, i) => ({ ...r, targets: r.targets.map((t, j) => verifyTarget(rd, t, `results[${i}].targets[${j}]`)) }));
    return { version: 1, generatedAt, ...marks, summary, results: verified };
  }
  const kind = rd.oneOf(top.kind, ['sync', 'plan', 'publish'] as const, 'kind');
  const summary: SyncSummary = rd.counts(top.summary, syncCounts, 'summary');
  const written = rd.obj(top.summary, 'summary');
  for (const k of ['refused', 'moved'] as const) if (written[k] !== undefined) summary[k] = rd.num(written[k], `summary.${k}`);
  const synced = results.map((r, i) => ({ ...r, targets: r.targets.map((t, j) => syncTarget(rd, t, `results[${i}].targets[${j}]`)) }));
  return { version: 1, kind, generatedAt, ...marks, summary, results: synced };
}
