// The package version, for --version and the User-Agent.
import { readFileSync } from 'node:fs';

/** regmirror's version, read once from package.json. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
