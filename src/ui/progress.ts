// Progress for a person: an ora spinner on a terminal, plain lines in CI or when piped,
// nothing with -q. Everything printed passes the redactor.
import ora, { type Ora } from 'ora';
import { redact } from './redact.js';

/** What the use cases report as they go. */
export interface Progress {
  /** A finished unit of work; `line` is printed when it deserves a plain line. */
  step(line: string | undefined): void;
  bytes(n: number): void;
  setTotal(total: number): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  quiet: boolean;
  enabled: boolean;
  stream?: NodeJS.WriteStream;
}

/** Chooses the spinner or plain lines for this terminal. */
export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const interactive = opts.enabled && !opts.quiet && stream.isTTY === true && !process.env.CI;
  let done = 0;
  let total = 0;
  let bytes = 0;
  let spinner: Ora | undefined;
  const text = () => `${opts.label} ${done}${total ? `/${total}` : ''}${bytes ? ` · ${formatBytes(bytes)}` : ''}`;
  if (interactive) spinner = ora({ text: text(), stream }).start();
  return {
    step(line) {
      done += 1;
      if (line && !opts.quiet) {
        if (spinner) spinner.clear();
        stream.write(`${redact(line)}\n`);
      }
      if (spinner) spinner.text = text();
    },
    bytes(n) {
      bytes += n;
    },
    setTotal(n) {
      total = n;
      if (spinner) spinner.text = text();
    },
    stop() {
      spinner?.stop();
    },
  };
}

/** 1.2 GB, 340 MB, 12 kB: decimal units, as registries and docker print them. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
