// A layout source's index.json may list manifests without a tag name (go-containerregistry's test
// layouts; regclient keeps OCI 1.1 referrers that way). regmirror mirrors tags, so those are said
// by name: the run's failure when nothing is tagged, a warning next to the tags that travel.
import { LayoutRepository, REF_NAME } from '../content/layout/index.js';
import { notALayout } from '../content/layout/not-a-layout.js';
import type { Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { NotFoundError } from '../types/errors.js';
import { parseManifest } from '../types/mediatype.js';
import { isValidTag } from '../types/reference.js';

/** Why `source` has no tags: its untagged layout entries when it has some, else "does it exist?". */
export async function noTagsError(source: Repository): Promise<NotFoundError> {
  const untagged = await describeUntagged(source);
  const notLayout = !untagged && source instanceof LayoutRepository ? await notALayout(source.dir) : undefined;
  if (notLayout) return new NotFoundError(`${source.name} has no tags: ${notLayout}`);
  if (!untagged) return new NotFoundError(`${source.name} has no tags (does the repository exist?)`);
  return new NotFoundError(`${source.name} has no tags: index.json lists ${untagged} without ${REF_NAME}, the annotation that names a tag; add one to mirror it`);
}

/**
 * A warning naming the untagged entries of a layout source that has tags too, or undefined.
 * Untagged referrers are left out: they travel under their subject's fallback tag (fallback.ts).
 */
export async function untaggedWarning(source: Repository): Promise<string | undefined> {
  const untagged = await describeUntagged(source, false);
  return untagged && `${source.name}: index.json also lists ${untagged} without a tag name, which cannot be mirrored; only tags (and what refers to them) are`;
}

async function describeUntagged(source: Repository, withReferrers = true): Promise<string | undefined> {
  if (!(source instanceof LayoutRepository)) return undefined;
  const all = await source.untagged().catch(() => [] as Descriptor[]);
  const notes = await Promise.all(all.map((d) => referrerOf(source, d)));
  const entries = all.filter((_, i) => withReferrers || notes[i] === '');
  if (entries.length === 0) return undefined;
  const named = entries.slice(0, 5).map((d) => `${short(d.digest)}${notes[all.indexOf(d)]}`);
  const more = entries.length > 5 ? `, and ${entries.length - 5} more` : '';
  return `${entries.length} manifest${entries.length === 1 ? '' : 's'} (${named.join(', ')}${more})`;
}

// " (a referrer of sha256:…)" for an entry whose manifest names a subject; "" otherwise or unreadable.
async function referrerOf(source: LayoutRepository, d: Descriptor): Promise<string> {
  try {
    const subject = parseManifest((await source.fetchManifest(d.digest)).bytes).subject;
    return subject ? ` a referrer of ${short(subject.digest)}` : '';
  } catch {
    return '';
  }
}

/**
 * Why a layout's tag name cannot travel: a registry takes letters, digits, `_ . -` only. A full
 * reference (`alpine:3.18`, as `skopeo copy … oci:DIR:alpine:3.18` names it) gets its tag offered.
 */
export function unnamedTagDetail(tag: string): string {
  const tail = tag.slice(tag.lastIndexOf(':') + 1);
  const fix = tag.lastIndexOf(':') > tag.lastIndexOf('/') && isValidTag(tail) ? `it reads as a full reference: rename it to "${tail}"` : 'rename it';
  return `source names tag "${tag}", which no registry accepts as a tag (letters, digits, _ . -, up to 128, not starting with . or -): ${fix} in ${REF_NAME} of index.json to mirror it`;
}

function short(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}
