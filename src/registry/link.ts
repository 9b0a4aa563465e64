// RFC 8288 Link headers, as registries use them to page tag lists and referrers.

/** The `rel="next"` target of a Link header value, or undefined. */
export function nextLink(value: string | undefined): string | undefined {
  if (!value) return undefined;
  for (const match of value.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const params = match[2] ?? '';
    if (/;\s*rel\s*=\s*"?(?:[^";,]*\s)?next(?:\s[^";,]*)?"?/i.test(params)) return match[1];
  }
  return undefined;
}
