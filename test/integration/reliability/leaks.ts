// The credential detector the reliability tests share: known secret values, base64 of
// user:pass, and anything shaped like a registry token or an unredacted Authorization value.

/** Secrets from `secrets` (and base64 of `user:pass` pairs) found in `text`, plus any JWT or unredacted Authorization value. */
export function leaks(text: string, secrets: string[], basicPairs: [string, string][] = []): string[] {
  const found = secrets.filter((s) => s && text.includes(s));
  for (const [u, p] of basicPairs) {
    const b64 = Buffer.from(`${u}:${p}`).toString('base64');
    if (text.includes(b64)) found.push(`base64(${u}:***)`);
  }
  // Registry tokens are JWTs: header.claims.signature, both base64url of JSON objects.
  for (const m of text.matchAll(/eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/g)) found.push(`JWT ${m[0].slice(0, 16)}…`);
  for (const m of text.matchAll(/\b(Bearer|Basic)\s+(?!\[REDACTED\])([A-Za-z0-9._~+/=-]{8,})/g)) found.push(`${m[1]} ${m[2]!.slice(0, 6)}…`);
  return found;
}
