// sync's `--report FILE` kept true while the run goes. A run killed outright (SIGKILL: a CI job's
// hard timeout, the OOM killer) writes nothing at its end, and the file then still held the
// previous run's report, which read as this one's. So the file says from the start that the run
// has not ended (`"interrupted": true`, the rows finished so far), is rewritten as rows finish (at
// most every JOURNAL_EVERY_MS), and the run's end writes the whole report over it. Every write
// replaces the file whole (a temporary file renamed over it): a kill mid-write leaves the last one.
import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import type { SyncReport, SyncResult } from '../report/model.js';
import { syncReport } from '../report/summary.js';
import { redact } from '../ui/redact.js';
import { writeReportFile } from './emit.js';

/** How often, at most, the file is rewritten while rows finish: a backfill's thousands of rows are one write a second. */
export const JOURNAL_EVERY_MS = 1000;

/** Writes `text` to `file` whole: a reader (or a kill) never meets half of it. */
export async function replaceFile(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.partial`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch (err) {
    await unlink(temporary).catch(() => undefined);
    throw err;
  }
}

/** True when `file` is absent or a regular file: `--report /dev/stdout` is written once, at the end, as before. */
async function replaceable(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
}

export class ReportJournal {
  private readonly results: SyncResult[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastWrite = 0;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private warned = false;

  private constructor(
    private readonly file: string,
    private readonly kind: SyncReport['kind'],
    private readonly marks: { shard?: string },
    private readonly onWarning: (message: string) => void,
  ) {}

  /** Opens the journal and writes its first state (no row yet); undefined for a file that is not a regular one. */
  static async open(file: string, kind: SyncReport['kind'], marks: { shard?: string }, onWarning: (message: string) => void): Promise<ReportJournal | undefined> {
    if (!(await replaceable(file))) return undefined;
    const journal = new ReportJournal(file, kind, marks, onWarning);
    journal.lastWrite = Date.now();
    await journal.write();
    return journal;
  }

  /** A row finished: it is in the file within JOURNAL_EVERY_MS. */
  add(result: SyncResult): void {
    this.results.push(result);
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastWrite = Date.now();
      this.writing = this.writing.then(() => this.write());
    }, Math.max(0, this.lastWrite + JOURNAL_EVERY_MS - Date.now()));
  }

  /** The run's end: no more journal writes; the final report goes over the file through `finish`. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
  }

  /** Writes the run's own report over the journal, whole. */
  async finish(report: SyncReport): Promise<void> {
    await this.close();
    const text = reportText(report);
    // Where no file can be renamed over it, written in place: a failure is then the usual one line (emit.ts).
    await replaceFile(this.file, text).catch(() => writeReportFile(this.file, text, '--report'));
  }

  private async write(): Promise<void> {
    if (this.closed) return;
    const report: SyncReport = { ...syncReport(this.kind, [...this.results]), interrupted: true, ...this.marks };
    await replaceFile(this.file, reportText(report)).catch((err: NodeJS.ErrnoException) => {
      if (this.warned) return;
      this.warned = true;
      this.onWarning(`--report ${this.file}: cannot write the report so far (${err.code ?? String(err)}); the run goes on and writes it at its end`);
    });
  }
}

/** The JSON report as written to `--report`: indented, through the redactor. */
export function reportText(report: SyncReport): string {
  return redact(`${JSON.stringify(report, null, 2)}\n`);
}
