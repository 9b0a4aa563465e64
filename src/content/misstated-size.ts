// A descriptor whose size is not its blob's. Reading the blob finds that (the copier checks every
// read), but a blob every destination holds already is never read: a store that knows its sizes
// without a read (BlobSizer: a layout's files) is asked first, so the verdict does not depend on
// what the targets happen to hold.
import { canSize, type Repository } from './storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { SizeLimitError } from '../types/errors.js';

/** The error a read of `desc` from `repo` would end in, found by a stat; undefined when the sizes agree, or unknown. */
export async function misstatedSize(repo: Repository, desc: Descriptor): Promise<SizeLimitError | undefined> {
  if (!canSize(repo)) return undefined;
  const size = await repo.storedSize(desc);
  if (size === undefined || size === desc.size) return undefined;
  return new SizeLimitError(`blob ${desc.digest}: expected ${desc.size} bytes, got ${size}`);
}
