// Progress for a person: an ora spinner redrawn in place on a terminal; in CI or when piped, one
// plain line every --progress-interval seconds; nothing with -q. Both show done/total, bytes,
// rate and ETA (progress-line.ts). Everything printed passes the redactor.
import type { Ora } from 'ora';
import { progressLine, type ProgressState } from './progress-line.js';
import { redact } from './redact.js';

/** What the use cases report as they go. */
export interface Progress {
  /** A finished unit of work; `line` is printed when it deserves a plain line. */
  step(line: string | undefined): void;
  /** A line that is no step of the work (a failure found before any copy). */
  say(line: string | undefined): void;
  bytes(n: number): void;
  /** The number of items (image, tag; for publish binary, tag), once discovery has counted them; and the bytes to read, when known. */
  setTotal(total: number, bytes?: number): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  /** What one item is (progress-line.ts); default `(image, tag)`. */
  unit?: string;
  quiet: boolean;
  enabled: boolean;
  stream?: NodeJS.WriteStream;
  /** Not a terminal: milliseconds between plain progress lines (default 10 s). */
  intervalMs?: number;
  /**
   * What the run waits on once nothing moved (no item done, no byte counted) for `quietMs`:
   * `no answer from HOST for 18 s (9 requests)` (registry/http/unanswered.ts), or undefined.
   */
  waitingOn?: (quietMs: number) => string | undefined;
  /** What slows the run while it moves, said on every line: `docker.io slowed to 1.5 requests/s (429)`. */
  slowedBy?: () => string | undefined;
  now?: () => number;
}

/** Chooses the spinner or plain lines for this terminal. */
export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  // A terminal that reports no width (a pty under `script` from a pipe) cannot redraw a spinner line.
  const interactive = opts.enabled && !opts.quiet && stream.isTTY === true && (stream.columns ?? 0) > 0 && !process.env.CI;
  const state: ProgressState = { label: opts.label, unit: opts.unit, done: 0, total: 0, bytes: 0, startedAt: now() };
  // A run held by a registry that does not answer repeated the same figures without naming it.
  const quietMs = opts.intervalMs ?? 10_000;
  let movedAt = now();
  const text = () => {
    const line = progressLine(state, now());
    const waiting = now() - movedAt >= quietMs ? opts.waitingOn?.(quietMs) : undefined;
    return [line, opts.slowedBy?.(), waiting].filter(Boolean).join(' · ');
  };
  let spinner: Ora | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // ora is loaded only for a terminal: pipes and CI never pay for it.
  if (interactive) {
    void import('ora').then(({ default: ora }) => {
      if (!stopped) spinner = ora({ text: text(), stream }).start();
    });
    // The rate and ETA move even while one big blob is copying.
    timer = setInterval(() => spinner && (spinner.text = text()), 1000);
  } else if (opts.enabled && !opts.quiet) {
    timer = setInterval(() => stream.write(`${redact(text())}\n`), opts.intervalMs ?? 10_000);
  }
  timer?.unref();
  const say = (line: string | undefined) => {
    if (line && !opts.quiet) {
      if (spinner) spinner.clear();
      stream.write(`${redact(line)}\n`);
    }
    if (spinner) spinner.text = text();
  };
  return {
    step(line) {
      state.done += 1;
      movedAt = now();
      say(line);
    },
    say,
    bytes(n) {
      state.bytes += n;
      movedAt = now();
    },
    setTotal(n, bytes) {
      state.total = n;
      if (bytes !== undefined) state.totalBytes = bytes;
      if (spinner) spinner.text = text();
    },
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      spinner?.stop();
    },
  };
}
