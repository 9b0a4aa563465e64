// Why an `oci:` source directory has no tags when it is not a layout at all: absent, or holding no
// index.json (issuer2 hunt: go-containerregistry's pkg/v1/layout/testdata named as the source, a
// folder of layouts, read "oci:…/testdata has no tags (does the repository exist?)", which sends a
// user to look for a repository; the same for a path with a typo in it).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Subdirectories named in the line at most. */
const NAMED = 5;

/** What is wrong with `dir` as a layout, or undefined when it has an index.json (a layout, maybe an empty one). */
export async function notALayout(dir: string): Promise<string | undefined> {
  const kind = await stat(dir).then((s) => (s.isDirectory() ? 'dir' : 'file'), () => 'none');
  if (kind === 'none') return `there is no such directory: give the directory a layout was written to (\`skopeo copy … oci:DIR:TAG\`, \`oras … --oci-layout DIR\`)`;
  if (kind === 'file') return `it is a file, not a layout directory (an oci-archive tarball? unpack it with tar -x into a directory and name that)`;
  if (await isLayout(dir)) return undefined;
  const inside = await layoutsUnder(dir);
  const named = inside.slice(0, NAMED).join(', ') + (inside.length > NAMED ? `, and ${inside.length - NAMED} more` : '');
  const hint = inside.length > 0 ? `; layouts are in its subdirectories ${named}: name each as a source (oci:${join(dir, inside[0]!)})` : '';
  return `it is not an OCI layout: it holds no index.json${hint}`;
}

async function isLayout(dir: string): Promise<boolean> {
  return stat(join(dir, 'index.json')).then((s) => s.isFile(), () => false);
}

async function layoutsUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const subdirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const found = await Promise.all(subdirs.map((name) => isLayout(join(dir, name))));
  return subdirs.filter((_, i) => found[i]);
}
