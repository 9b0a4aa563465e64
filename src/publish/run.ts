// The publish use case: prepare every selected binaries entry (files gathered, checksums
// checked, manifest built) and only then push each artifact to all its targets.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { BinaryItem, Config } from '../config/model.js';
import { CopyLedger } from '../copy/ledger.js';
import { withoutCutShort } from '../copy/cut-short.js';
import type { SyncReport, SyncResult } from '../report/model.js';
import { syncReport } from '../report/summary.js';
import { UsageError } from '../types/errors.js';
import { formatRepository, isValidTag, repositoryIn } from '../types/reference.js';
import { tagNamed } from '../types/tag.js';
import { downloadAgent } from './download.js';
import { ReleaseFileStore } from './file-store.js';
import { prepareArtifact, type PreparedArtifact } from './prepare.js';
import { pushArtifact } from './push.js';
import { selectBinaries } from './work.js';
import type { RepositoryOpener } from '../content/storage.js';

export interface PublishOptions {
  stores: RepositoryOpener;
  tag: string;
  /** --dir, absolute. */
  dir: string;
  /** --force: retarget tags that point at another digest. */
  force: boolean;
  filters: string[];
  /** Artifacts pushed at once. */
  concurrency: number;
  signal?: AbortSignal;
  onResult?: (result: SyncResult) => void;
  onBytes?: (bytes: number) => void;
  /** Told what copies worked around, for -v (CopyContext.onNote). */
  onNote?: (message: string) => void;
  onDownload?: (url: string) => void;
  /**
   * Told how many artifacts will be pushed (one per binaries entry), once every one is prepared,
   * and the bytes of their blobs, each counted once: what onBytes counts up to when no target holds any.
   */
  onPrepared?: (artifacts: number, bytes: number) => void;
}

/**
 * Runs publish and returns a sync-shaped report (one row per target). Throws, before any push,
 * when the tag, the selection, a glob, a download or a checksum is wrong.
 */
export async function runPublish(config: Config, opts: PublishOptions): Promise<SyncReport> {
  // A version with build metadata (1.2.3+build.4) goes where helm and sync put it: the tag
  // 1.2.3_build.4, a tag holding no `+`. URLs' {tag} stay the release as given.
  const tag = tagNamed(opts.tag);
  if (!isValidTag(tag)) throw new UsageError(`--tag "${opts.tag}" is not a valid tag (letters, digits, _ . -, up to 128, not starting with . or -; or a semver version)`);
  const items = selectBinaries(config, opts.filters);
  if (config.binaries.length === 0) throw new UsageError(`${config.file} has no binaries: entries to publish`);
  if (items.length === 0) throw new UsageError(`--filter ${opts.filters.join(', ')} selects no binaries entry`);
  for (const item of items) if (item.targets.length === 0) throw new UsageError(`binaries "${item.name}" has no targets`);

  const scratch = await mkdtemp(join(tmpdir(), 'regmirror-publish-'));
  try {
    const prepared = await prepareAll(config, items, scratch, opts);
    opts.onPrepared?.(prepared.length, blobBytes(prepared));
    const results = (await pushAll(prepared, tag, opts)).filter((r): r is SyncResult => r !== undefined);
    return syncReport('publish', results);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Pushes each prepared artifact to its targets; blobs shared between artifacts are handled once per target. */
async function pushAll(prepared: PreparedArtifact[], tag: string, opts: PublishOptions): Promise<(SyncResult | undefined)[]> {
  const ledger = new CopyLedger();
  const limit = pLimit(Math.max(1, opts.concurrency));
  return Promise.all(
    prepared.map((p) =>
      limit(async () => {
        if (opts.signal?.aborted) return undefined;
        const src = new ReleaseFileStore(`${p.item.name} release files`, p.root, p.files, p.config);
        const targets = p.item.targets.map((ns) => {
          const ref = repositoryIn(ns, p.item.name);
          return { repo: opts.stores.open(ref, 'push'), display: formatRepository(ref) };
        });
        const ctx = { src, ledger, signal: opts.signal, onBytes: opts.onBytes, onNote: opts.onNote };
        const result = withoutCutShort(await pushArtifact(p.item.name, p.root, ctx, targets, p.tag ?? tag, opts.force), opts.signal);
        if (!result) return undefined;
        opts.onResult?.(result);
        return result;
      }),
    ),
  );
}

/** Prepares every entry in order, all before any push; downloads land in `scratch`. */
async function prepareAll(config: Config, items: BinaryItem[], scratch: string, opts: PublishOptions): Promise<PreparedArtifact[]> {
  const agent = downloadAgent();
  try {
    const out: PreparedArtifact[] = [];
    for (const item of items) {
      out.push(await prepareArtifact(item, { tag: opts.tag, dir: opts.dir, configFile: config.file, scratch, dispatcher: agent.dispatcher, signal: opts.signal, onDownload: opts.onDownload }));
    }
    return out;
  } finally {
    await agent.close();
  }
}

/** The bytes of every blob of the artifacts (files and configs), a blob two entries share once. */
function blobBytes(prepared: PreparedArtifact[]): number {
  const sizes = new Map<string, number>();
  for (const p of prepared) {
    sizes.set(p.config.descriptor.digest, p.config.descriptor.size);
    for (const f of p.files) sizes.set(f.digest, f.size);
  }
  return [...sizes.values()].reduce((a, b) => a + b, 0);
}
