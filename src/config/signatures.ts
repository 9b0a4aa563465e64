// `signatures:` (SPEC.md "mirrors.yaml"): an item's settings merged key by key over
// defaults.signatures, and the key files checked before any request (a missing file or anything
// but a public key is a config error at the key's FILE:LINE:COL).
import { tagVersion } from '../types/tag.js';
import { readFile } from 'node:fs/promises';
import { parsePublicKeys, KeyFileError } from '../trust/keys.js';
import type { SignaturePolicy } from './model.js';
import type { RawConfig, RawSignatures } from './raw.js';
import { formatPath, type Locator, type PathSegment } from './positions.js';
import { configPath } from './paths.js';

/** The item's policy over the defaults', or undefined when neither asks for signatures. */
export function mergeSignatures(defaults: RawSignatures | undefined, item: RawSignatures | undefined, baseDir: string, at: PathSegment[], loc: Locator): SignaturePolicy | undefined {
  if (!defaults && !item) return undefined;
  const m: RawSignatures = { ...defaults, ...item };
  const where = item ? [...at, 'signatures'] : ['defaults', 'signatures'];
  if (!m.keys || m.keys.length === 0) throw loc.errorAtKey(where, `${formatPath(where)}: list at least one public key under keys`);
  const policy: SignaturePolicy = { keys: m.keys.map((k) => configPath(baseDir, k)), algorithm: m.algorithm ?? 'sha256' };
  if (m.unsignedBefore !== undefined) policy.unsignedBefore = m.unsignedBefore;
  return policy;
}

/** Throws a ConfigError for an `unsignedBefore` that is not a version (pure; run while building items). */
export function checkSignatures(raw: RawSignatures | undefined, at: PathSegment[], loc: Locator): void {
  const before = raw?.unsignedBefore;
  if (before === undefined) return;
  if (tagVersion(before) === null) {
    const where = [...at, 'unsignedBefore'];
    throw loc.errorAt(where, `${formatPath(where)}: "${before}" is not a version (e.g. v1.8.0)`);
  }
}

/** Reads every key file written in mirrors.yaml; the first unreadable or non-public key is a ConfigError there. */
export async function checkKeyFiles(raw: RawConfig, baseDir: string, loc: Locator): Promise<void> {
  const places: { where: PathSegment[]; file: string }[] = [];
  (raw.defaults?.signatures?.keys ?? []).forEach((file, i) => places.push({ where: ['defaults', 'signatures', 'keys', i], file }));
  (raw.images ?? []).forEach((img, n) => (img.signatures?.keys ?? []).forEach((file, i) => places.push({ where: ['images', n, 'signatures', 'keys', i], file })));
  for (const { where, file } of places) {
    const absolute = configPath(baseDir, file);
    let text: string;
    try {
      text = await readFile(absolute, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw loc.errorAt(where, `${formatPath(where)}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? 'error'})`} ${absolute}`);
    }
    try {
      parsePublicKeys(text);
    } catch (err) {
      if (err instanceof KeyFileError) throw loc.errorAt(where, `${formatPath(where)}: ${absolute}: ${err.message}`);
      throw err;
    }
  }
}
