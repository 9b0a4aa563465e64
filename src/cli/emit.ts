// Where a rendered report goes: -o FILE or standard output, always through the redactor.
import { writeFile } from 'node:fs/promises';
import { redact } from '../ui/redact.js';

/** Writes a rendered report to -o FILE or standard output. */
export async function emit(text: string, output: string | undefined): Promise<void> {
  const safe = redact(text);
  if (output) await writeFile(output, safe.endsWith('\n') ? safe : `${safe}\n`);
  else process.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
}
