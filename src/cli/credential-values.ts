// Credential variables set to a value no registry takes, said before any request (exit 2). Here,
// not beside the registry client's credentials: serve's command file imports this statically, and
// registry/ must stay out of what `--version`, `validate` and `schema` load (cli/startup.test.ts).
import type { Config, RegistrySettings } from '../config/model.js';
import { ConfigError } from '../types/errors.js';

/**
 * Throws for a credential variable whose value holds a line break, whichever way its registry is
 * used (read, written, or served by the gateway): sent as it is, a token failed as the registry
 * "unreachable" (exit 3) and a password as refused. The value is never repeated.
 */
export function refuseBrokenCredentials(config: Pick<Config, 'file' | 'registries'>): void {
  for (const { host, variable, problem } of brokenCredentialEnv(config.registries)) {
    const pos = config.registries.get(host)?.position ?? { line: 1, col: 1 };
    throw new ConfigError(config.file, pos.line, pos.col, `environment variable ${variable} (credentials for ${host}) ${problem}, ${WHY[problem] ?? WHY['ends in a newline']}`);
  }
}

// Where each break comes from, and the way to set the value without it. `tr -d '\n'` leaves a CR:
// a line of a file saved on Windows (CRLF) needs both gone.
const WHY: Record<string, string> = {
  'ends in a newline': "as a file written by `echo` or a Secret made with `echo … | base64` leaves one, and no password or token has: set it without (printf '%s' …, or tr -d '\\n')",
  'ends in a carriage return (CR)': "as a line of a file saved on Windows (CRLF line ends) leaves one, and no password or token has: set it without (tr -d '\\r\\n', or dos2unix the file it came from)",
  'holds a line break or NUL byte': "which no password or token has (two lines pasted as one?): set it to the secret alone",
};

/**
 * Pre-flight: credential variables whose value holds a line break, as a file written by `echo`, or
 * a Kubernetes Secret made with `echo … | base64`, leaves one at the end. A bearer token so cannot
 * go in a header at all (undici refuses it before sending: once said as the registry unreachable,
 * exit 3), and a password so is never the one a registry holds (docker login strips the newline).
 */
export function brokenCredentialEnv(
  registries: Map<string, RegistrySettings> | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { host: string; variable: string; problem: string }[] {
  const out: { host: string; variable: string; problem: string }[] = [];
  for (const [host, settings] of registries ?? []) {
    const names = settings.credentials;
    for (const variable of names ? [names.usernameEnv, names.passwordEnv, names.tokenEnv] : []) {
      const value = variable ? env[variable] : undefined;
      if (!variable || !value || !/[\r\n\0]/.test(value)) continue;
      const problem = /^[^\r\n\0]*\n$/.test(value) ? 'ends in a newline' : /^[^\r\n\0]*\r\n?$/.test(value) ? 'ends in a carriage return (CR)' : 'holds a line break or NUL byte';
      out.push({ host, variable, problem });
    }
  }
  return out;
}
