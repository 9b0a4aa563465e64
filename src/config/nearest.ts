// What a mistyped word in mirrors.yaml most likely meant: a key ("sematic" → "semver"), a value of
// a fixed set (`tls: verfy` → verify, `tls: skip-verify` → insecure) or a boolean (`http2: off`).
// Hints name the word to write, never the value given (it may be a mistyped secret).

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

// Edit distance counting a swap of two neighbours as one edit ("flase" → "false"), small strings only.
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

// Words other tools and habits use for a `tls:` setting: Go's InsecureSkipVerify, containers'
// tls-verify=false, docker's insecure-registries, a scheme written where a mode belongs.
const TLS_WORDS: Record<string, string> = {
  'skip-verify': 'insecure', skipverify: 'insecure', 'no-verify': 'insecure', noverify: 'insecure', skip: 'insecure',
  unverified: 'insecure', 'insecure-skip-verify': 'insecure', 'tls-verify=false': 'insecure', 'self-signed': 'insecure',
  plain: 'disabled', plaintext: 'disabled', http: 'disabled', none: 'disabled', off: 'disabled', no: 'disabled',
  https: 'verify', on: 'verify', yes: 'verify', enabled: 'verify', enable: 'verify', secure: 'verify', strict: 'verify', verified: 'verify',
};

/** The allowed value a string most likely meant, quoted for the message ("verify"), or undefined. */
export function meantValue(value: string, allowed: string[]): string | undefined {
  const word = value.trim().toLowerCase();
  const exact = allowed.find((a) => a.toLowerCase() === word);
  const synonym = TLS_WORDS[word];
  const near = exact ?? (synonym && allowed.includes(synonym) ? synonym : closest(word, allowed));
  return near ? `"${near}"` : undefined;
}

/** What to write for a boolean key given a string or a number: YAML 1.2 reads `off`, `no`, 0 so. */
export function booleanHint(v: string | number): string {
  if (typeof v === 'number') return v === 0 || v === 1 ? ` (write ${v === 1})` : '';
  const word = v.trim().toLowerCase();
  if (word === 'true' || word === 'false') return ` (write ${word}, without quotes)`;
  if (/^(yes|y|on|enabled?|1)$/.test(word)) return ' (write true: YAML reads this word as a string)';
  if (/^(no|n|off|disabled?|0)$/.test(word)) return ' (write false: YAML reads this word as a string)';
  const near = closest(word, ['true', 'false']);
  return near ? ` (did you mean ${near}?)` : ' (write true or false)';
}
