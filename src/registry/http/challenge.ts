// WWW-Authenticate parsing (RFC 7235 §4.1): several challenges in one header, quoted strings
// with escapes and commas inside, parameters in any order and case.

/** One challenge: scheme lower-cased (`bearer`, `basic`), parameter names lower-cased. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

/** Parses every challenge in a WWW-Authenticate value (or several values joined by commas). */
export function parseChallenges(value: string | string[] | undefined): Challenge[] {
  const text = Array.isArray(value) ? value.join(', ') : (value ?? '');
  const out: Challenge[] = [];
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < text.length && chars.test(text[i]!)) i++;
  };
  const token = () => {
    const start = i;
    while (i < text.length && TOKEN.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  while (i < text.length) {
    skip(/[\s,]/);
    const name = token();
    if (!name) {
      i++; // a stray character: step over it rather than loop forever
      continue;
    }
    skip(/\s/);
    const current = out[out.length - 1];
    if (text[i] === '=' && current && text[i + 1] !== '=') {
      i++;
      skip(/\s/);
      current.params[name.toLowerCase()] = text[i] === '"' ? quoted() : token68();
    } else {
      out.push({ scheme: name.toLowerCase(), params: {} });
      // token68 credentials after a scheme (`Negotiate abc==`) carry nothing we use.
      if (/[A-Za-z0-9+/=._~-]/.test(text[i] ?? '') && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=[^=]/.test(text.slice(i))) token68();
    }
  }
  return out;

  function quoted(): string {
    let s = '';
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      s += text[i++];
    }
    i++; // closing quote
    return s;
  }

  function token68(): string {
    const start = i;
    while (i < text.length && !/[\s,]/.test(text[i]!)) i++;
    return text.slice(start, i);
  }
}

/** The challenge we answer: Bearer before Basic; others are not supported. */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}

/** `type:name:actions` scopes, merged: the same resource's actions are joined (pull + push). */
export function mergeScopes(...lists: string[][]): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of lists.flat()) {
    const last = scope.lastIndexOf(':');
    if (last <= 0) continue;
    const resource = scope.slice(0, last);
    const actions = byResource.get(resource) ?? new Set<string>();
    for (const a of scope.slice(last + 1).split(',')) if (a) actions.add(a);
    byResource.set(resource, actions);
  }
  return [...byResource]
    .map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`)
    .sort();
}

// A repository's scopes are one array for its life (RepoContext), so each is parsed once.
const repositories = new WeakMap<string[], string | undefined>();

/** The repository `scopes` push to, else the first they pull from, else undefined. */
export function repositoryOf(scopes: string[]): string | undefined {
  if (scopes.length === 0) return undefined;
  if (repositories.has(scopes)) return repositories.get(scopes);
  let found: string | undefined;
  for (const scope of scopes) {
    const m = /^repository:(.+):([^:]+)$/.exec(scope);
    if (!m) continue;
    if (m[2]!.split(',').includes('push')) {
      found = m[1];
      break;
    }
    found ??= m[1];
  }
  repositories.set(scopes, found);
  return found;
}
