// Maps a path in the parsed data (["images", 2, "tags", "semver"]) back to where it was written,
// so every config error can say FILE:LINE:COL of the offending key or value.
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { ConfigError } from '../types/errors.js';
import type { Position } from './model.js';

/** One step into the data: a mapping key or a list index. */
export type PathSegment = string | number;

/** Finds positions of keys and values in one parsed YAML document. */
export class Locator {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Position of the value at `path` (falls back to the nearest written ancestor). */
  value(path: readonly PathSegment[]): Position {
    const r = this.resolve(path);
    return this.at(r.node ?? r.key);
  }

  /** Position of the key that holds `path`'s value (the value's own position inside a list). */
  key(path: readonly PathSegment[]): Position {
    const r = this.resolve(path);
    return this.at(r.key ?? r.node);
  }

  /** A ConfigError at the value of `path`. */
  errorAt(path: readonly PathSegment[], message: string): ConfigError {
    const p = this.value(path);
    return new ConfigError(this.file, p.line, p.col, message);
  }

  /** A ConfigError at the key of `path`. */
  errorAtKey(path: readonly PathSegment[], message: string): ConfigError {
    const p = this.key(path);
    return new ConfigError(this.file, p.line, p.col, message);
  }

  /** A ConfigError at a byte offset (YAML syntax errors). */
  errorAtOffset(offset: number, message: string): ConfigError {
    const p = this.lines.linePos(offset);
    return new ConfigError(this.file, p.line, p.col, message);
  }

  private at(node: Node | null | undefined): Position {
    const start = node?.range?.[0] ?? this.doc.contents?.range?.[0] ?? 0;
    const p = this.lines.linePos(start);
    return { line: p.line, col: p.col };
  }

  // Walks as far as the document goes; a missing step keeps the last node found.
  private resolve(path: readonly PathSegment[]): { node?: Node | null; key?: Node | null } {
    let node: unknown = this.doc.contents;
    let key: Node | null | undefined;
    for (const step of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(step));
        if (!pair) return { node: node as Node, key };
        key = pair.key as Node;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof step === 'number' && node.items[step]) {
        node = node.items[step];
        key = node as Node;
      } else {
        return { node: node as Node, key };
      }
    }
    return { node: node as Node, key };
  }
}

/** A mapping key as text, as toJS() would name it. */
function keyText(k: unknown): string {
  if (isScalar(k)) return String(k.value);
  return String(k);
}

/** Writes a data path the way a person reads it: images[2].tags.semver. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : out ? `.${step}` : step;
  return out || '(top level)';
}

/** Splits an ajv instancePath ("/images/2/tags") into segments, numbers for list indexes. */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  const out: PathSegment[] = [];
  let cur: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const step: PathSegment = Array.isArray(cur) ? Number(seg) : seg;
    out.push(step);
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return out;
}
