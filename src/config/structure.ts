// The structural half of validation: ajv checks mirrors.yaml against mirrorsSchema (compiled at
// build time, see scripts/build-validator.mjs), and the first problem in document order becomes
// one ConfigError at the offending key or value.
import type { ErrorObject } from 'ajv';
import type { ConfigError } from '../types/errors.js';
import { validate } from './mirrors-validator.js';
import { formatPath, pointerToPath, type Locator } from './positions.js';
import { mirrorsSchema } from './schema.js';

/** Returns the first structural error of `data` in document order, or undefined when the shape is right. */
export function checkStructure(data: unknown, loc: Locator): ConfigError | undefined {
  if (validate(data)) return undefined;
  const errors = (validate.errors ?? []).map((e) => toConfigError(e, data, loc));
  errors.sort((a, b) => a.line - b.line || a.col - b.col);
  return errors[0];
}

function toConfigError(e: ErrorObject, data: unknown, loc: Locator): ConfigError {
  const path = pointerToPath(e.instancePath, data);
  const where = formatPath(path);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const properties = (e.parentSchema as { properties?: Record<string, SchemaNode> })?.properties ?? {};
      const allowed = Object.keys(properties);
      const home = closest(key, allowed) ? undefined : childHolding(key, properties);
      if (home) return loc.errorAtKey([...path, key], `${where}: "${key}" belongs under ${home}: (slid out of it?); indent it under ${home}:`);
      return loc.errorAtKey([...path, key], unknownKeyMessage(key, where, allowed));
    }
    case 'required':
      return loc.errorAtKey(path, `${where}: missing required key "${String(params.missingProperty)}"`);
    case 'type':
    {
      // `tls: false` is a boolean to YAML; quoting it would only trade this error for the enum's.
      const allowed = (e.parentSchema as { enum?: unknown[] } | undefined)?.enum;
      const hint = allowed ? ` (write one of ${allowed.join(', ')})` : quoteHint(e.data, String(params.type));
      return loc.errorAt(path, `${where}: expected ${typeWords(String(params.type))}, got ${describeValue(e.data)}${hint}`);
    }
    case 'enum':
      return loc.errorAt(path, `${where}: must be one of ${(params.allowedValues as unknown[]).join(', ')}`);
    case 'const':
      return loc.errorAt(path, `${where}: must be ${JSON.stringify(params.allowedValue)}`);
    case 'minimum':
      return loc.errorAt(path, `${where}: must be ${params.limit === 0 ? 'a non-negative' : 'a positive'} integer`);
    case 'exclusiveMinimum':
      return loc.errorAt(path, `${where}: must be a number greater than ${String(params.limit)}`);
    case 'pattern':
      return loc.errorAt(path, `${where}: must be an environment variable name (letters, digits and _, not starting with a digit)`);
    default:
      return loc.errorAt(path, `${where}: ${e.message ?? 'invalid'}`);
  }
}

type SchemaNode = { $ref?: string; properties?: Record<string, SchemaNode> };

// A key that slid one indent left lands in the parent mapping: `latest: 3` under an image instead
// of under its `tags:`. Name the child mapping that has it.
function childHolding(key: string, properties: Record<string, SchemaNode>): string | undefined {
  const definitions = (mirrorsSchema as { definitions: Record<string, SchemaNode> }).definitions;
  for (const [name, sub] of Object.entries(properties)) {
    const resolved = sub.$ref ? definitions[sub.$ref.replace('#/definitions/', '')] : sub;
    if (resolved?.properties && key in resolved.properties) return name;
  }
  return undefined;
}

/** "unknown key" with a close suggestion, or the list of keys allowed there. */
export function unknownKeyMessage(key: string, where: string, allowed: string[]): string {
  const near = closest(key, allowed);
  const place = where === '(top level)' ? 'at the top level' : `in ${where}`;
  if (near) return `unknown key "${key}" ${place}; did you mean "${near}"?`;
  // docker-compose's x- keys are where people park blocks to share with &anchor / *alias.
  const extension = /^x-/i.test(key) ? ' (regmirror has no x- extension keys: put the &anchor on the block where it is first used, and *alias it elsewhere)' : '';
  return `unknown key "${key}" ${place}; allowed: ${allowed.join(', ')}${extension}`;
}

/** The allowed word closest to `key`: close in edit distance, or sharing the first three letters ("sematic" → "semver"). */
export function closest(key: string, allowed: string[]): string | undefined {
  const k = key.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of allowed) {
    const c = candidate.toLowerCase();
    const d = distance(k, c);
    const near = d <= Math.max(1, Math.floor(k.length / 3)) || (k.length >= 3 && c.startsWith(k.slice(0, 3)) && d <= Math.ceil(k.length / 2) + 1);
    if (near && d < bestScore) [best, bestScore] = [candidate, d];
  }
  return best;
}

// Levenshtein distance, small strings only.
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string', array: 'a list', object: 'a mapping', integer: 'an integer', number: 'a number', boolean: 'true or false',
};

function typeWords(t: string): string {
  return t.split(',').map((x) => TYPE_WORDS[x] ?? x).join(' or ');
}

/** Names the kind of a value without echoing it (it may be a mistyped secret). */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return 'a string';
}

// What to write instead, for the slips people make: YAML reads 1.10 as the number 1.1, `yes` and
// "false" as strings, `targets: ghcr.io/x` as one string. Never repeats the value (it may be a secret).
function quoteHint(v: unknown, expected: string): string {
  if (expected === 'string' && (typeof v === 'number' || typeof v === 'boolean')) return ' (quote it to keep it a string)';
  if (typeof v !== 'string') return '';
  if (expected === 'array') return ' (write a list: [a, b] on one line, or one "- a" item per line)';
  if (expected === 'object') return ' (write "key: value", with a space after the colon)';
  if (expected === 'boolean' && /^(true|false|yes|no|on|off|y|n)$/i.test(v)) return ' (write true or false, without quotes)';
  if ((expected === 'integer' || expected === 'number') && v.trim() !== '' && Number.isFinite(Number(v))) return ' (write the number without quotes)';
  return '';
}
