// Progress for a person: an ora spinner on a terminal, plain lines in CI or when piped,
// nothing with -q. Everything printed passes the redactor.
import type { Ora } from 'ora';
import { formatBytes } from '../report/rows.js';
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
  // A terminal that reports no width (a pty under `script` from a pipe) cannot redraw a spinner line.
  const interactive = opts.enabled && !opts.quiet && stream.isTTY === true && (stream.columns ?? 0) > 0 && !process.env.CI;
  let done = 0;
  let total = 0;
  let bytes = 0;
  let spinner: Ora | undefined;
  const text = () => `${opts.label} ${done}${total ? `/${total}` : ''}${bytes ? ` · ${formatBytes(bytes)}` : ''}`;
  let stopped = false;
  // ora is loaded only for a terminal: pipes and CI never pay for it.
  if (interactive) {
    void import('ora').then(({ default: ora }) => {
      if (!stopped) spinner = ora({ text: text(), stream }).start();
    });
  }
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
      stopped = true;
      spinner?.stop();
    },
  };
}
