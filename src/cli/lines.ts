// Plain progress lines for copy-like commands (sync, publish): one line per target that changed.
import type { SyncResult } from '../report/model.js';
import { formatBytes } from '../report/rows.js';

/** Lines for a finished (image, tag), or undefined when every target was already in place. */
export function resultLines(r: SyncResult): string | undefined {
  const busy = r.targets.filter((t) => t.action !== 'skip');
  if (busy.length === 0) return undefined;
  return busy
    .map((t) => {
      const what = t.action === 'copied' || t.action === 'forced' ? `${t.action} (${t.blobs.copied} ${t.blobs.copied === 1 ? 'blob' : 'blobs'} uploaded, ${t.blobs.mounted} mounted, ${formatBytes(t.bytes)})` : t.action;
      // A detail can quote a registry: its line breaks must not start lines of their own.
      return `${r.source}:${r.tag} → ${t.repository}: ${what}${t.detail ? ` — ${oneLine(t.detail)}` : ''}`;
    })
    .join('\n');
}

/** Control characters (line breaks, escapes) as spaces. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
