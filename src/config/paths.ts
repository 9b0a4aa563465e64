// Paths in mirrors.yaml resolve against the file's directory, so a run from any directory reads
// the same files; a leading `~/` is the home directory, as the shell the user tested it in reads it.
import { homedir } from 'node:os';
import path from 'node:path';

/** `text` as an absolute path: `~/x` under the home directory, anything else from `baseDir`. */
export function configPath(baseDir: string, text: string): string {
  if (text === '~' || text.startsWith('~/')) return path.join(homedir(), text.slice(1));
  return path.resolve(baseDir, text);
}
