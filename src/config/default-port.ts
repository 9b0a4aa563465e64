// `registry.corp:443` under registries: while the images write `registry.corp` (or the other way
// round): a registry's settings are found by its name as written in a reference, as docker and
// skopeo find its credentials and certs.d directory, so that entry's caFile, tls and credentials
// went unused without a word, and the run then told the user to set the caFile they had set.
import type { Locator } from './positions.js';
import type { BinaryItem, ImageItem } from './model.js';
import type { NamespaceRef, RepositoryRef } from '../types/reference.js';

/** Refuses a `registries:` key that differs from the hosts the file names only by an explicit :443. */
export function checkDefaultPortKeys(keys: readonly string[], images: readonly ImageItem[], binaries: readonly BinaryItem[], loc: Locator): void {
  const named = namedHosts(images, binaries);
  for (const key of keys) {
    if (named.has(key)) continue;
    const bare = key.endsWith(':443') ? key.slice(0, -':443'.length) : undefined;
    const other = bare ?? `${key}:443`;
    // Both spellings under registries: each is an entry of its own, for what names it.
    if (!named.has(other) || keys.includes(other)) continue;
    const written = bare ? `${other}, without :443` : other;
    const fix = bare ? `write the key "${other}", or add :443 to the images' and targets' names` : `write the key "${other}", or leave :443 out of the images' and targets' names`;
    throw loc.errorAtKey(['registries', key], `registries: "${key}" names no registry of this file: its images and targets write ${written}, and a registry's settings are found by its name as written there (docker and skopeo tell the two apart too, for credentials and certs.d), so these would go unused: ${fix}`);
  }
}

function namedHosts(images: readonly ImageItem[], binaries: readonly BinaryItem[]): Set<string> {
  const refs: (RepositoryRef | NamespaceRef | undefined)[] = [
    ...images.flatMap((i) => [i.source, ...i.targets]),
    ...binaries.flatMap((b) => [b.source, ...b.targets]),
  ];
  return new Set(refs.flatMap((r) => (r?.scheme === 'registry' ? [r.registry] : [])));
}
