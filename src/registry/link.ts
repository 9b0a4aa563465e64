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

/**
 * The next page to fetch after a response: its Link `rel="next"`, resolved against the response
 * URL, only when it stays on `origin` (the registry itself) and was not fetched before.
 */
export function nextPage(link: string | undefined, responseUrl: URL, origin: string, seen: Set<string>): URL | undefined {
  const next = nextLink(link);
  if (!next) return undefined;
  const url = new URL(next, responseUrl);
  return url.origin === origin && !seen.has(url.href) ? url : undefined;
}

/** The origin of a Link `rel="next"` that nextPage() does not follow because it is on another origin. */
export function offOrigin(link: string | undefined, responseUrl: URL, origin: string): string | undefined {
  const next = nextLink(link);
  if (!next) return undefined;
  try {
    const url = new URL(next, responseUrl);
    return url.origin === origin ? undefined : url.origin;
  } catch {
    return undefined;
  }
}
