// mirrors.yaml lives in git: a secret written into it is already leaked. Refuse any key that looks
// like one before anything else reads the file, and never repeat its value in the message.
import { isMap, isSeq, isPair, isScalar, type Node } from 'yaml';
import type { ConfigError } from '../types/errors.js';
import type { Locator, PathSegment } from './positions.js';
import { formatPath } from './positions.js';

const SECRET_KEYS = new Set(['password', 'token', 'auth', 'secret', 'identitytoken', 'accesstoken']);

/** The one message for every inline secret (SPEC: "values only by env name, never inline secrets"). */
export const INLINE_SECRET = 'inline secrets are not allowed; name an environment variable with passwordEnv';

/** Finds the first key anywhere in the document that would hold a secret. */
export function findInlineSecret(root: unknown, loc: Locator): ConfigError | undefined {
  const walk = (node: unknown, path: PathSegment[]): ConfigError | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const here = [...path, key];
        if (SECRET_KEYS.has(key.toLowerCase())) return loc.errorAtKey(here, `${formatPath(here)}: ${INLINE_SECRET}`);
        const found = walk(pair.value as Node, here);
        if (found) return found;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const found = walk(node.items[i], [...path, i]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(root, []);
}
