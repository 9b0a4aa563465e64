// The package version, for --version and the User-Agent.
import { readFileSync } from 'node:fs';

/** regmirror's version, read once from package.json (dist/ sits beside it; test builds may not). */
export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();
