// Credentials must never reach output, logs or reports (SPEC: "Credentials never appear").
// Every secret the process learns is registered here; every line we print passes redact().

const secrets = new Set<string>();

/** Remembers a secret (password, token, identity token, base64 auth) so it is scrubbed from output. */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < 4) return;
  secrets.add(value);
  secrets.add(Buffer.from(value).toString('base64'));
  secrets.add(encodeURIComponent(value));
}

const HEADER_PATTERNS: [RegExp, string][] = [
  [/(authorization\s*[:=]\s*"?)(basic|bearer)\s+[^\s",;]+/gi, '$1$2 [REDACTED]'],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{12,}/gi, '$1 [REDACTED]'],
  // Query parameters that are credentials: tokens and passwords, and presigned URLs' signatures and
  // session tokens (S3 X-Amz-Signature and X-Amz-Security-Token, GCS X-Goog-Signature, Azure sig).
  // A value ends before a colon that ends the URL ("GET URL: 403"): that colon is the message's.
  [/([?&](?:[\w.-]*[-_.])?(?:token|password|signature|sig)=)[^&\s"]*[^&\s":]/gi, '$1[REDACTED]'],
  [/(\/\/)[^/@\s:]+:[^/@\s]+@/g, '$1[REDACTED]@'],
  [/("(?:password|token|access_token|refresh_token|identitytoken|auth|secret)"\s*:\s*")[^"]*"/gi, '$1[REDACTED]"'],
];

/** Removes every registered secret and anything shaped like a credential from `text`. */
export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  for (const [pattern, replacement] of HEADER_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
