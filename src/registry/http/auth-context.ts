// What the auth layer needs from its host, and what each of its parts (auth.ts, auth-challenge.ts,
// auth-header.ts, auth-refusals.ts) asks of it: a repository's credential, a note on one left unused.
import type { Credential, CredentialProvider } from '../credentials.js';
import { repositoryOf } from './challenge.js';
import type { TokenCache } from './token.js';

/** What the auth layer needs from its host. */
export interface AuthContext {
  host: string;
  base: URL;
  credentials: CredentialProvider;
  tokens: TokenCache;
  /** Counts a token fetch (stats.tokenFetches). */
  onTokenFetch(): void;
  /** Told about a token realm, so its origin may use the host's TLS settings. */
  onRealm(realm: URL): void;
  /** How long a refused scope set stays refused without asking (default: for good; see denied.ts). */
  deniedTtlMs?: number;
}

/**
 * The credential for the repository `scopes` act on: the one pushed to where there is one (a
 * mount's token also names its source), else the one read; the host's for none (the ping).
 */
export function credentialFor(ctx: AuthContext, scopes: string[]): Promise<Credential | undefined> {
  return ctx.credentials(ctx.host, repositoryOf(scopes));
}

// Read anonymously, with a Docker config entry for the same machine at another port: said, as
// docker and skopeo users are often caught by it (`docker login 127.0.0.1` for 127.0.0.1:30507).
export function unusedNote(ctx: AuthContext): string {
  const note = ctx.credentials.unused?.(ctx.host);
  return note ? `; ${note}` : '';
}
