// The layout's `oci-layout` marker and `index.json` (image-spec image-layout.md): read, created on
// first write, and updated one writer at a time per directory within this process.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UnsupportedError } from '../../types/errors.js';
import { parseDigest } from '../../types/digest.js';
import type { Descriptor } from '../../types/descriptor.js';
import { OCI_INDEX } from '../../types/mediatype.js';
import { isMissing, writeBytesAtomically } from './files.js';

/** The annotation that names a tag in a layout's index.json. */
export const REF_NAME = 'org.opencontainers.image.ref.name';

/** index.json as read; fields we do not know are kept when it is rewritten. */
export interface LayoutIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
  [extra: string]: unknown;
}

/** Reads index.json; a layout not written yet has an empty one. */
export async function readIndex(dir: string): Promise<LayoutIndex> {
  let text: string;
  try {
    text = await readFile(join(dir, 'index.json'), 'utf8');
  } catch (err) {
    if (isMissing(err)) return emptyIndex();
    throw err;
  }
  let index: LayoutIndex;
  try {
    index = JSON.parse(text) as LayoutIndex;
  } catch {
    throw new UnsupportedError(`${dir}/index.json is not valid JSON`);
  }
  if (typeof index !== 'object' || index === null || !Array.isArray(index.manifests)) {
    throw new UnsupportedError(`${dir}/index.json has no "manifests" list`);
  }
  return index;
}

/** Refuses layouts of a major version we do not know; absent marker means not written yet. */
export async function checkLayoutVersion(dir: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(join(dir, 'oci-layout'), 'utf8');
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  let version: unknown;
  try {
    version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
  } catch {
    version = undefined;
  }
  if (typeof version !== 'string' || !version.startsWith('1.')) {
    throw new UnsupportedError(`${dir}/oci-layout: unsupported imageLayoutVersion ${JSON.stringify(version)}`);
  }
}

/** Creates the layout (marker, blobs/, empty index.json) unless it exists; under the lock. */
export function prepareLayout(dir: string): Promise<void> {
  return withIndexLock(dir, () => ensureLayout(dir));
}

async function ensureLayout(dir: string): Promise<void> {
  await checkLayoutVersion(dir);
  await mkdir(join(dir, 'blobs'), { recursive: true });
  if (!(await present(join(dir, 'oci-layout')))) {
    await writeBytesAtomically(join(dir, 'oci-layout'), Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  }
  if (!(await present(join(dir, 'index.json')))) await writeIndex(dir, emptyIndex());
}

// One promise chain per directory: read-modify-write of index.json never interleaves in-process.
const chains = new Map<string, Promise<unknown>>();

/** Applies `change` to index.json under the directory's lock and writes it back atomically. */
export function updateIndex(dir: string, change: (index: LayoutIndex) => void): Promise<void> {
  return withIndexLock(dir, async () => {
    await ensureLayout(dir);
    const index = await readIndex(dir);
    change(index);
    await writeIndex(dir, index);
  });
}

/**
 * Runs `task` as the directory's one writer in this process: index.json updates, and whole copies
 * by another program (engine: skopeo rewrites index.json as it pleases, so two at once lose tags).
 */
export async function withIndexLock(dir: string, task: () => Promise<void>): Promise<void> {
  const key = resolve(dir);
  const previous = chains.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(task);
  chains.set(key, next);
  try {
    await next;
  } finally {
    if (chains.get(key) === next) chains.delete(key);
  }
}

/** Index entries that carry a tag name, with that name. */
export function taggedEntries(index: LayoutIndex): Array<{ tag: string; descriptor: Descriptor }> {
  return index.manifests.flatMap((d) => (typeof d.annotations?.[REF_NAME] === 'string' ? [{ tag: d.annotations[REF_NAME], descriptor: d }] : []));
}

/**
 * The descriptor index.json tags `tag` with, if any. A tag named twice at two digests is refused:
 * tools disagree on which entry it means (skopeo takes the first, regclient the last), and a copy
 * must not guess.
 */
export function tagEntry(index: LayoutIndex, tag: string, where: string): Descriptor | undefined {
  const entries = taggedEntries(index).filter((e) => e.tag === tag);
  const digests = [...new Set(entries.map((e) => e.descriptor.digest))];
  if (digests.length > 1) {
    throw new UnsupportedError(`${where}: index.json names tag ${tag} more than once, at ${digests.join(' and ')}; tools disagree on which it means, so it is not copied: remove the wrong entry`);
  }
  return entries[0]?.descriptor;
}

function emptyIndex(): LayoutIndex {
  return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
}

async function writeIndex(dir: string, index: LayoutIndex): Promise<void> {
  await writeBytesAtomically(join(dir, 'index.json'), Buffer.from(JSON.stringify(index)));
}

async function present(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

/** Where a layout keeps the blob `digest`: `blobs/ALGORITHM/HEX` (OCI image layout). */
export function blobPath(dir: string, digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return join(dir, 'blobs', algorithm, hex);
}
