// Credential variables set to a value no registry takes, said before any request (exit 2).
import type { Config } from '../config/model.js';
import { brokenCredentialEnv } from '../registry/credentials.js';
import { ConfigError } from '../types/errors.js';

/**
 * Throws for a credential variable whose value holds a line break, whichever way its registry is
 * used (read, written, or served by the gateway): sent as it is, a token failed as the registry
 * "unreachable" (exit 3) and a password as refused. The value is never repeated.
 */
export function refuseBrokenCredentials(config: Pick<Config, 'file' | 'registries'>): void {
  for (const { host, variable, problem } of brokenCredentialEnv(config.registries)) {
    const pos = config.registries.get(host)?.position ?? { line: 1, col: 1 };
    throw new ConfigError(config.file, pos.line, pos.col, `environment variable ${variable} (credentials for ${host}) ${problem}, as a file written by \`echo\` or a Secret made with \`echo … | base64\` leaves one, and no password or token has: set it without (printf '%s' …, or tr -d '\\n')`);
  }
}
