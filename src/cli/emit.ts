// Where a rendered report goes: -o FILE or standard output, always through the redactor.
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../types/errors.js';
import { redact } from '../ui/redact.js';

function unwritable(flag: string, file: string, code: string): UsageError {
  const hint = code === 'ENOENT' ? 'create its directory first' : code === 'EISDIR' ? 'name a file, not a directory' : 'choose a path this user can write';
  return new UsageError(`${flag} ${file}: cannot write the report (${code}); ${hint}`);
}

/**
 * Checks, before a run, that each report file named can be written, so an hour's backfill does
 * not learn at its end that `--report reports/x.json` has no directory (shard hunt).
 */
export async function assertReportPaths(files: Record<string, string | undefined>): Promise<void> {
  for (const [flag, file] of Object.entries(files)) {
    if (file === undefined) continue;
    const isDir = await stat(file).then((s) => s.isDirectory(), () => false);
    if (isDir) throw unwritable(flag, file, 'EISDIR');
    await access(dirname(resolve(file)), constants.W_OK).catch((err: NodeJS.ErrnoException) => {
      throw unwritable(flag, file, err.code ?? String(err));
    });
  }
}

/**
 * Writes a report file. One that cannot be written (its directory missing, read-only) is a usage
 * error naming the flag and the file (exit 2): it ended as exit 1, which `report merge` never
 * returns (SPEC: 0, 2) and which says drift for `verify`, with Node's bare ENOENT line.
 */
export async function writeReportFile(file: string, text: string, flag = '-o'): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (err) {
    throw unwritable(flag, file, (err as NodeJS.ErrnoException).code ?? String(err));
  }
}

/** Writes a rendered report to -o FILE or standard output. */
export async function emit(text: string, output: string | undefined): Promise<void> {
  const safe = redact(text);
  if (output) await writeReportFile(output, safe.endsWith('\n') ? safe : `${safe}\n`);
  else process.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
}
