// Docker credential helpers (docker-credential-helpers protocol): `docker-credential-NAME get`
// reads the server URL on stdin and answers {ServerURL, Username, Secret}; run with execa, no shell.
import type { Logger } from '../ui/log.js';
import { registerSecret } from '../ui/redact.js';
import type { Credential } from './credentials.js';

/** Username a helper returns when Secret is an identity (refresh) token. */
export const IDENTITY_TOKEN_USERNAME = '<token>';

/** How long a helper may take to answer. */
const HELPER_TIMEOUT_MS = 30_000;
/** How long a helper's output may stay open after it exited. */
const OUTPUT_GRACE_MS = 500;

/**
 * Where a helper was named (`credsStore in FILE`), and the helpers already said to be missing: a
 * credsStore is asked for every registry, and one not installed (a config.json copied from Docker
 * Desktop) was said once per registry, without the file that names it or what to do.
 */
export interface HelperOrigin { namedIn: string; missingSaid: Set<string> }

/** How a helper not installed is remembered in `HelperOrigin.missingSaid`. */
export function missingKey(name: string, namedIn: string): string {
  return `docker-credential-${name} ${namedIn}`;
}

/** Asks helper `name` for `serverUrl`; undefined when it has nothing (or cannot run). */
export async function runCredentialHelper(name: string, serverUrl: string, env: NodeJS.ProcessEnv, logger?: Logger, origin?: HelperOrigin): Promise<Credential | undefined> {
  const program = `docker-credential-${name}`;
  // Loaded on first use: most runs never call a helper, and execa is a tenth of a second to load.
  const { execa } = await import('execa');
  const helper = execa(program, ['get'], { input: serverUrl, env, extendEnv: false, reject: false, timeout: HELPER_TIMEOUT_MS, stripFinalNewline: true });
  // A helper that is a script leaves its own children (gpg for `pass`, a sleep, a prompt) holding
  // its stdout: killed at the timeout, or exited after answering, it would still keep the run
  // waiting for its output to end, as long as they live. What it said by then is all it says.
  helper.once('exit', () => {
    setTimeout(() => {
      helper.stdout?.destroy();
      helper.stderr?.destroy();
    }, OUTPUT_GRACE_MS).unref();
  });
  const result = await helper;
  if (result.failed) {
    const said = `${String(result.stdout ?? '')} ${String(result.stderr ?? '')}`;
    // "credentials not found in native keychain" is the protocol's way to say "none".
    if (result.code === 'ENOENT' && origin) {
      const key = missingKey(name, origin.namedIn);
      if (!origin.missingSaid.has(key)) logger?.warn(`${program}, named as ${origin.namedIn}, is not installed: registries are read without it (that file's auths, else anonymously); install it, or remove it from that file (a config.json copied from Docker Desktop names \`desktop\`)`);
      origin.missingSaid.add(key);
    } else if (!/not found/i.test(said) || result.exitCode === undefined) {
      const why = result.code === 'ENOENT' ? 'not installed' : result.timedOut ? `no answer within ${HELPER_TIMEOUT_MS / 1000} s` : `exit ${result.exitCode ?? '?'}`;
      logger?.warn(`credential helper ${program} failed for ${serverUrl}: ${why}`);
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
