// Reads mirrors.yaml into a validated Config (SPEC.md "mirrors.yaml"). Every problem is one
// ConfigError at FILE:LINE:COL, found before any request is made: syntax, then shape (ajv),
// then meaning (ranges, regexes, references, duplicates).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlias, isMap, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { ConfigError } from '../types/errors.js';
import type { Config } from './model.js';
import type { RawConfig } from './raw.js';
import { Locator } from './positions.js';
import { findInlineSecret } from './secrets.js';
import { findShellVariable } from './shell-variables.js';
import { checkStructure } from './structure.js';
import { checkTagRules, mergeTagRules, parseTargets } from './rules.js';
import { buildRegistries } from './registries.js';
import { buildBinaries, buildImages } from './items.js';
import { checkKeyFiles, checkSignatures } from './signatures.js';
import { buildGateway } from './gateway.js';
import { caFileProblem } from './ca-file.js';
import { configPath } from './paths.js';
import { checkDefaultPortKeys } from './default-port.js';

/** Reads and validates `file` (relative to opts.cwd, default the process's cwd). */
export async function loadConfig(file: string, opts: { cwd?: string } = {}): Promise<Config> {
  const absolute = path.resolve(opts.cwd ?? process.cwd(), file);
  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot read: ${code ?? String(err)}`;
    throw new ConfigError(file, 1, 1, why);
  }
  const text = decodeUtf8(bytes, file);
  const { config, loc, raw } = parse(text, file, path.dirname(absolute));
  await checkCaFiles(config, loc);
  await checkKeyFiles(raw, path.dirname(absolute), loc);
  return config;
}

// A Latin-1 editor writes é as the single byte 0xE9; read as UTF-8 it silently becomes U+FFFD and
// shows up, if at all, as a baffling "invalid name caf\uFFFD". Say which byte and where.
function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let offset = 0;
    for (let end = 1; end <= bytes.length; end++) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(offset, end));
        offset = end;
      } catch {
        if (end - offset >= 4) break; // no UTF-8 sequence is longer: the byte at offset is bad
      }
    }
    const before = bytes.subarray(0, offset).toString('utf8').split('\n');
    const hex = bytes[offset]!.toString(16).toUpperCase().padStart(2, '0');
    throw new ConfigError(file, before.length, before.at(-1)!.length + 1, `byte 0x${hex} is not UTF-8 (written by a Latin-1 or Windows-1252 editor?): save the file as UTF-8`);
  }
}

/** Validates mirrors.yaml text (pure); relative paths resolve against `baseDir`, default the file's directory. */
export function parseConfig(text: string, file: string, baseDir = path.dirname(path.resolve(file))): Config {
  return parse(text, file, baseDir).config;
}

// What to do about the indentation mistakes people make by hand.
const SYNTAX_HINTS: Partial<Record<string, string>> = {
  TAB_AS_INDENT: 'indent with spaces',
  BAD_INDENT: 'line this key up, with spaces, with the keys of the mapping it belongs to',
  MISSING_CHAR: 'line this key up with the keys of the item above, or start a new item with "- "',
  BLOCK_AS_IMPLICIT_KEY: 'a second "key:" on this line, or indented deeper on the next: give each key its own line, lined up with its neighbours',
};

function parse(text: string, file: string, baseDir: string): { config: Config; loc: Locator; raw: RawConfig } {
  const lines = new LineCounter();
  // merge: `<<: *shared` is how people share blocks in YAML (compose files, CI configs), though only YAML 1.1 defines it.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const loc = new Locator(file, doc, lines);
  const ipv6 = unquotedIpv6(text);
  if (ipv6) throw loc.errorAtOffset(ipv6.offset, `write "${ipv6.ref}" in quotes: YAML reads an unquoted [ as the start of a list`);
  const syntax = doc.errors[0];
  if (syntax?.code === 'MULTIPLE_DOCS') throw loc.errorAtOffset(syntax.pos[0], 'this file holds more than one YAML document: remove this "---" line and merge what follows into the first');
  if (syntax) {
    const hint = SYNTAX_HINTS[syntax.code];
    // The parser points at the start of the line; the key that is off is at its first non-blank.
    const start = hint ? syntax.pos[0] + (/^[ \t]*/.exec(text.slice(syntax.pos[0]))?.[0].length ?? 0) : syntax.pos[0];
    const message = syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw loc.errorAtOffset(hint && syntax.code !== 'TAB_AS_INDENT' ? start : syntax.pos[0], `YAML syntax error: ${message}${hint ? `; ${hint}` : ''}`);
  }
  if (doc.contents === null) {
    throw new ConfigError(file, 1, 1, 'empty file; expected a mapping starting with "version: 1"');
  }
  if (!isMap(doc.contents)) throw loc.errorAt([], 'the top level must be a mapping (version:, defaults:, registries:, images:, binaries:)');
  const data = toData(doc, loc);
  if (!('version' in data)) throw loc.errorAt([], 'missing "version: 1" at the top level');
  if (data.version === '1') throw loc.errorAt(['version'], 'version must be the number 1: write version: 1, without quotes');
  if (data.version !== 1) throw loc.errorAt(['version'], 'version must be 1 (the only format this regmirror reads)');
  const secret = findInlineSecret(doc.contents, loc);
  if (secret) throw secret;
  const variable = findShellVariable(data, loc);
  if (variable) throw variable;
  const shape = checkStructure(data, loc);
  if (shape) throw shape;
  const raw = data as unknown as RawConfig;
  return { config: build(raw, file, baseDir, loc), loc, raw };
}

// `[::1]:5000:` as a registry key, or `[::1]:5000/ns` in a list, is a flow sequence to YAML: the
// parser's own words ("Unexpected scalar token", "expected a string, got a mapping") don't say to
// quote it. An unquoted bracketed IPv6 host is never meaningful YAML here, so say so first. An
// IPv6 address has two colons at least: `targets: [127.0.0.1:5000]`, a list of one registry's root,
// was refused as one (newuser hunt).
const IPV6_REF = /\[[0-9A-Fa-f.%]*:[0-9A-Fa-f.%]*:[0-9A-Fa-f:.%]*\](?::\d+)?(?:\/[^\s,\]}#'"]*)?/g;
function unquotedIpv6(text: string): { offset: number; ref: string } | undefined {
  let lineStart = 0;
  for (const line of text.split('\n')) {
    const code = line.replace(/(^|\s)#.*$/, '');
    for (const m of code.matchAll(IPV6_REF)) {
      const before = code.slice(0, m.index);
      const quoted = /["']$/.test(before) || (before.split('"').length - 1) % 2 === 1 || (before.split("'").length - 1) % 2 === 1;
      // Only a [ that starts a YAML token: inside a plain scalar (`endpoint: http://[::1]:5000`) it is text.
      const startsToken = /(^|[\s,[{:-])$/.test(before.trimEnd()) || before.trim() === '';
      if (!quoted && startsToken) return { offset: lineStart + m.index, ref: m[0] };
    }
    lineStart += line.length + 1;
  }
  return undefined;
}

// toJS() throws where an alias has no anchor before it, or where aliases expand past the limit
// (a "billion laughs" file): both are mistakes in the file, so FILE:LINE:COL and exit 2.
function toData(doc: Document, loc: Locator): Record<string, unknown> {
  try {
    return doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  } catch (err) {
    let dangling: ConfigError | undefined;
    visit(doc, {
      Alias(_, node) {
        if (isAlias(node) && node.resolve(doc) === undefined && node.range) {
          dangling = loc.errorAtOffset(node.range[0], `alias *${node.source} has no anchor &${node.source} before it: define the anchor first, or fix the name`);
          return visit.BREAK;
        }
        return undefined;
      },
    });
    if (dangling) throw dangling;
    throw new ConfigError(loc.file, 1, 1, `too many aliases expanded (${(err as Error).message}); share fewer or smaller blocks`);
  }
}

function build(raw: RawConfig, file: string, baseDir: string, loc: Locator): Config {
  const d = raw.defaults ?? {};
  checkTagRules(d.tags, ['defaults', 'tags'], loc);
  checkSignatures(d.signatures, ['defaults', 'signatures'], loc);
  const defaults: Config['defaults'] = {
    targets: parseTargets(d.targets ?? [], ['defaults', 'targets'], loc),
    tags: mergeTagRules(undefined, d.tags),
    referrers: d.referrers ?? true,
    overwrite: d.overwrite ?? false,
    engine: d.engine ?? 'native',
  };
  const registries = buildRegistries(raw.registries, baseDir, loc);
  const images = buildImages(raw, defaults, loc, baseDir);
  const binaries = buildBinaries(raw, defaults, baseDir, loc);
  checkDefaultPortKeys([...registries.keys()], images, binaries, loc);
  const config: Config = { file, version: 1, defaults, registries, images, binaries };
  if (raw.lock !== undefined) config.lock = configPath(baseDir, raw.lock);
  if (raw.gateway !== undefined) config.gateway = buildGateway(raw.gateway, images, binaries, baseDir, loc);
  return config;
}

// A CA bundle that is not there, or not readable as one, would only surface as a TLS failure
// mid-run; say so up front (ca-file.ts).
async function checkCaFiles(config: Config, loc: Locator): Promise<void> {
  for (const r of config.registries.values()) {
    if (!r.caFile) continue;
    const problem = await caFileProblem(r.caFile);
    if (problem) throw loc.errorAt(['registries', r.host, 'caFile'], `registries.${r.host}.caFile: ${problem}`);
  }
}
