// The structural half of validation: ajv checks mirrors.yaml against mirrorsSchema (compiled at
// build time, see scripts/build-validator.mjs), and the first problem in document order becomes
// one ConfigError at the offending key or value.
import type { ErrorObject } from 'ajv';
import type { ConfigError } from '../types/errors.js';
import { validate } from './mirrors-validator.js';
import { formatPath, pointerToPath, type Locator } from './positions.js';
import { mirrorsSchema } from './schema.js';
import { booleanHint, closest, meantValue } from './nearest.js';
import { borrowedTlsKey } from './borrowed-keys.js';

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
      // A registry entry (it has tls and caFile) given another tool's TLS key: name the line to write.
      const borrowed = allowed.includes('tls') && allowed.includes('caFile') ? borrowedTlsKey(key, (e.data as Record<string, unknown>)[key], String(path[path.length - 1])) : undefined;
      if (borrowed) return loc.errorAtKey([...path, key], `unknown key "${key}" in ${where}; ${borrowed}`);
      return loc.errorAtKey([...path, key], unknownKeyMessage(key, where, allowed));
    }
    case 'required':
      return loc.errorAtKey(path, `${where}: missing required key "${String(params.missingProperty)}"`);
    case 'type':
    {
      // `tls: false` is a boolean to YAML; quoting it would only trade this error for the enum's.
      const allowed = (e.parentSchema as { enum?: unknown[] } | undefined)?.enum;
      // `listen: 8080`, a port alone as docker's -p takes it: quoting it would trade this line for host:port's.
      const port = path[path.length - 1] === 'listen' && typeof e.data === 'number' ? ` (write host:port, e.g. 0.0.0.0:${e.data})` : undefined;
      const hint = allowed ? ` (write one of ${allowed.join(', ')})` : port ?? quoteHint(e.data, String(params.type));
      return loc.errorAt(path, `${where}: expected ${typeWords(String(params.type))}, got ${describeValue(e.data)}${hint}`);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const near = typeof e.data === 'string' ? meantValue(e.data, allowed) : undefined;
      return loc.errorAt(path, `${where}: must be one of ${allowed.join(', ')}${near ? `; did you mean ${near}?` : ''}`);
    }
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
  if (expected === 'boolean' && (typeof v === 'string' || typeof v === 'number')) return booleanHint(v);
  if (typeof v !== 'string') return '';
  if (expected === 'array') return ' (write a list: [a, b] on one line, or one "- a" item per line)';
  if (expected === 'object') return ' (write "key: value", with a space after the colon)';
  if ((expected === 'integer' || expected === 'number') && v.trim() !== '' && Number.isFinite(Number(v))) return ' (write the number without quotes)';
  return '';
}
