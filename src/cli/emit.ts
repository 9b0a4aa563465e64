// Where a rendered report goes: -o FILE or standard output, always through the redactor.
import { writeFile } from 'node:fs/promises';
import { UsageError } from '../types/errors.js';
import { redact } from '../ui/redact.js';

/**
 * Writes a report file. One that cannot be written (its directory missing, read-only) is a usage
 * error naming the flag and the file (exit 2): it ended as exit 1, which `report merge` never
 * returns (SPEC: 0, 2) and which says drift for `verify`, with Node's bare ENOENT line.
 */
export async function writeReportFile(file: string, text: string, flag = '-o'): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    const hint = code === 'ENOENT' ? 'create its directory first' : 'choose a path this user can write';
    throw new UsageError(`${flag} ${file}: cannot write the report (${code}); ${hint}`);
  }
}

/** Writes a rendered report to -o FILE or standard output. */
export async function emit(text: string, output: string | undefined): Promise<void> {
  const safe = redact(text);
  if (output) await writeReportFile(output, safe.endsWith('\n') ? safe : `${safe}\n`);
  else process.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
}
