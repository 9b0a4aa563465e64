// The figures of a long run in one line, the same on a terminal (redrawn in place) and in CI
// (printed every --progress-interval seconds): done/total (image, tag) items, bytes, rate, ETA.
import { formatBytes } from '../report/rows.js';

/** What a run has done so far; times in milliseconds. */
export interface ProgressState {
  label: string;
  /** What one item is, as the line names it (default `(image, tag)`; publish's `(binary, tag)`). */
  unit?: string;
  done: number;
  /** 0 until discovery has counted the work. */
  total: number;
  bytes: number;
  /** The bytes the run will read, when known before the first (publish: its release files); 0 unknown. */
  totalBytes?: number;
  startedAt: number;
}

/** `synced 120/1500 (image, tag) · 1.2 GiB · 14.1 MiB/s · 3.2 items/s · ETA 7m15s` (`1.2 GiB of 2.0 GiB` with a byte total). */
export function progressLine(s: ProgressState, now: number): string {
  const seconds = Math.max(0.001, (now - s.startedAt) / 1000);
  const total = s.total > 0 ? Math.max(s.total, s.done) : 0;
  const parts = [`${s.label} ${s.done}${total ? `/${total}` : ''} ${s.unit ?? '(image, tag)'}`];
  const totalBytes = s.totalBytes ? Math.max(s.totalBytes, s.bytes) : 0;
  if (s.bytes > 0) parts.push(totalBytes ? `${formatBytes(s.bytes)} of ${formatBytes(totalBytes)}` : formatBytes(s.bytes), `${formatBytes(Math.round(s.bytes / seconds))}/s`);
  if (s.done > 0) parts.push(`${(s.done / seconds).toFixed(1)} items/s`);
  // A byte total tells the time left while bytes are still to read, before the first item is done
  // too (a release of one large binary read 'published 0/1' with no ETA for all of its upload);
  // once every byte is read, items do. A rerun reads no blob every target holds and ends short of
  // the total: under a second left to read is no ETA (it read 'ETA 0s' while uploads finished).
  const byBytes = totalBytes > 0 && s.bytes > 0 && s.done < total ? ((totalBytes - s.bytes) * seconds) / s.bytes : 0;
  if (byBytes >= 1) parts.push(`ETA ${formatDuration(byBytes)}`);
  else if (total > 0 && s.done > 0 && s.done < total) parts.push(`ETA ${formatDuration(((total - s.done) * seconds) / s.done)}`);
  return parts.join(' · ');
}

/** 42s, 7m15s, 2h03m. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
