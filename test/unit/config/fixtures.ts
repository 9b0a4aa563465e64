// Where test/fixtures/configs is: tests compile to another directory (dist-test, /tmp/build-x),
// so look up from the compiled file (in-repo builds) and from the working directory.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findFixtures(): string {
  const starts = [path.dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'test', 'fixtures', 'configs');
      if (existsSync(path.join(candidate, 'spec-example.yaml'))) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error('test/fixtures/configs not found; run the tests from the repository root');
}

/** Absolute path of test/fixtures/configs. */
export const CONFIG_FIXTURES = findFixtures();

/** Absolute path of the repository root (for the shipped mirrors.yaml). */
export const REPO_ROOT = path.resolve(CONFIG_FIXTURES, '..', '..', '..');
