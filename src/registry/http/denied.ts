// Scope sets a fresh token could not open: quay.io answers 401, not 404, for a repository that is
// absent or closed to us even after its token service issued a token. Remembered so a run does not
// loop re-authenticating (auth.ts). A CLI run keeps them for its whole life (minutes); the gateway
// runs for weeks and forgets them after a while, or a repository that a later sync put on that
// backend would never be asked for again (503 until a restart).
import type { AccessDeniedError } from '../../types/errors.js';

/** True while a refusal learned at `at` still stands at `now`. Pure. */
export function stillDenied(at: number, now: number, ttlMs: number): boolean {
  return now - at < ttlMs;
}

/** Refusals by scope key, each kept for `ttlMs` (default: for good). */
export class DeniedScopes {
  private readonly items = new Map<string, { error: AccessDeniedError; at: number }>();

  constructor(
    private readonly ttlMs = Infinity,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  /** The refusal for `key` while it stands (a stale one is dropped). */
  get(key: string): AccessDeniedError | undefined {
    const item = this.items.get(key);
    if (!item) return undefined;
    if (stillDenied(item.at, this.now(), this.ttlMs)) return item.error;
    this.items.delete(key);
    return undefined;
  }

  set(key: string, error: AccessDeniedError): void {
    this.items.delete(key);
    this.items.set(key, { error, at: this.now() });
    if (this.items.size > this.maxEntries) this.items.delete(this.items.keys().next().value!);
  }
}
