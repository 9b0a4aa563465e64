// Docker credential helpers (docker-credential-helpers protocol): `docker-credential-NAME get`
// reads the server URL on stdin and answers {ServerURL, Username, Secret}; run with execa, no shell.
import type { Logger } from '../ui/log.js';
import { registerSecret } from '../ui/redact.js';
import type { Credential } from './credentials.js';

/** Username a helper returns when Secret is an identity (refresh) token. */
export const IDENTITY_TOKEN_USERNAME = '<token>';

/** Asks helper `name` for `serverUrl`; undefined when it has nothing (or cannot run). */
export async function runCredentialHelper(name: string, serverUrl: string, env: NodeJS.ProcessEnv, logger?: Logger): Promise<Credential | undefined> {
  const program = `docker-credential-${name}`;
  // Loaded on first use: most runs never call a helper, and execa is a tenth of a second to load.
  const { execa } = await import('execa');
  const result = await execa(program, ['get'], { input: serverUrl, env, extendEnv: false, reject: false, timeout: 30_000, stripFinalNewline: true });
  if (result.failed) {
    const said = `${String(result.stdout ?? '')} ${String(result.stderr ?? '')}`;
    // "credentials not found in native keychain" is the protocol's way to say "none".
    if (!/not found/i.test(said) || result.exitCode === undefined) {
      logger?.warn(`credential helper ${program} failed for ${serverUrl}: ${result.code === 'ENOENT' ? 'not installed' : `exit ${result.exitCode ?? '?'}`}`);
    }
    return undefined;
  }
  let answer: { Username?: string; Secret?: string };
  try {
    answer = JSON.parse(String(result.stdout)) as typeof answer;
  } catch {
    logger?.warn(`credential helper ${program} answered something that is not JSON for ${serverUrl}`);
    return undefined;
  }
  if (!answer.Secret) return undefined;
  registerSecret(answer.Secret);
  if (answer.Username === IDENTITY_TOKEN_USERNAME) return { identityToken: answer.Secret };
  if (!answer.Username) return undefined;
  return { username: answer.Username, password: answer.Secret };
}
