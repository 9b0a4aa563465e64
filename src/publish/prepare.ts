// Everything publish does before touching a registry: gather one entry's release files (globs
// under --dir, URLs downloaded), hash them, hold them against the checksums file, and build the
// artifact manifest. Any failure here stops the run before a single byte is pushed anywhere.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Dispatcher } from 'undici';
import type { ManifestContent } from '../content/storage.js';
import type { BinaryItem } from '../config/model.js';
import { sha256 } from '../types/digest.js';
import { UsageError } from '../types/errors.js';
import { checkChecksums, checkNoneMissing, parseChecksums } from './checksums.js';
import { download, DownloadError, fileNameOf } from './download.js';
import { hashFile, matchGlobs, titleOf, type ReleaseFile } from './files.js';
import { artifactManifest, EMPTY_CONFIG, EMPTY_CONFIG_BYTES } from './manifest.js';
import { chartArtifact, isHelmChart } from './helm-chart.js';
import type { Descriptor } from '../types/descriptor.js';
import { tagNamed } from '../types/tag.js';

/** One binaries entry, ready to push. */
export interface PreparedArtifact {
  item: BinaryItem;
  files: ReleaseFile[];
  root: ManifestContent;
  /** The config blob: the empty one of an oras artifact, a chart's Chart.yaml as JSON. */
  config: { descriptor: Descriptor; bytes: Buffer };
  /** The tag it goes under when not --tag's: a chart's own spelling of the release (1.16.0 for v1.16.0). */
  tag?: string;
}

/** Where things are, for one run. */
export interface PrepareOptions {
  tag: string;
  /** --dir, absolute. */
  dir: string;
  /** The config file's path, to find `checksums` relative to --dir when it is not beside the config. */
  configFile: string;
  /** A scratch directory for downloads, removed by the caller. */
  scratch: string;
  dispatcher: Dispatcher;
  signal?: AbortSignal;
  /** Told before each download, for progress. */
  onDownload?: (url: string) => void;
}

/** Gathers, hashes and checks one entry's files and builds its manifest. */
export async function prepareArtifact(item: BinaryItem, opts: PrepareOptions): Promise<PreparedArtifact> {
  const what = `binaries "${item.name}"`;
  const paths = item.files.length > 0 ? await matchGlobs(opts.dir, item.files, `${what} files`) : [];
  const urls = item.urls.map((u) => u.split('{tag}').join(opts.tag));
  const names = [...paths.map(titleOf), ...urls.map(fileNameOf)];
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`${what}: two release files are both named "${twice}"; layer titles must be unique`);
  if (urls.length > 0) {
    const into = await mkdtemp(join(opts.scratch, 'dl-'));
    for (const url of urls) {
      opts.onDownload?.(url);
      paths.push(await download(url, into, opts.dispatcher, opts.signal).catch((err: unknown) => {
        throw err instanceof DownloadError ? new DownloadError(`${what}: ${err.message}${whereToLook(err.status, opts.tag, what)}`, err.status) : err;
      }));
    }
  }
  const files: ReleaseFile[] = [];
  for (const path of paths) files.push({ name: titleOf(path), path, ...(await hashFile(path, opts.signal)) });
  if (item.checksums !== undefined) {
    const file = checksumsPath(item.checksums, opts);
    const bytes = await readFile(file);
    const sums = parseChecksums(bytes.toString('utf8'), file);
    checkChecksums(files, sums, file, sha256(bytes));
    checkNoneMissing(files.map((f) => f.name), sums, item.files, file, { dir: opts.dir, what });
  }
  if (isHelmChart(item.artifactType)) return { item, files, ...(await chartArtifact(files, tagNamed(opts.tag), what)) };
  return { item, files, root: artifactManifest(item.artifactType, files), config: { descriptor: EMPTY_CONFIG, bytes: EMPTY_CONFIG_BYTES } };
}

/** For a refused or missing release file: which release and which entry's URL to check. */
function whereToLook(status: number | undefined, tag: string, what: string): string {
  if (status === 404) return `: check that release ${tag} is published with that file, or the URL under ${what} urls`;
  if (status === 401 || status === 403) return `: check that URL under ${what} urls`;
  return '';
}

/**
 * `checksums` is resolved beside mirrors.yaml; release jobs often keep it with the files
 * instead, so when it is not there the same relative path under --dir is tried.
 */
function checksumsPath(configured: string, opts: PrepareOptions): string {
  if (existsSync(configured)) return configured;
  const rel = relative(dirname(resolve(opts.configFile)), configured);
  const underDir = rel.startsWith('..') ? undefined : join(opts.dir, rel);
  if (underDir && existsSync(underDir)) return underDir;
  throw new UsageError(`checksums file ${configured} not found${underDir ? ` (nor ${underDir})` : ''}`);
}
