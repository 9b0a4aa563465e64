// Plain progress lines for copy-like commands (sync, publish): one line per target that changed.
import type { SyncResult } from '../report/model.js';
import { formatBytes } from '../report/rows.js';

/**
 * Lines for a finished (image, tag), or undefined when every target was already in place. With
 * `said` (one per run), a detail printed in full before points back at the line that said it: a
 * registry that failed every tag the same way (a refused certificate, an outage) reads once, not
 * once per tag. `errorWithin` finds an `error:` line the run printed (a refused certificate, a
 * proxy's refusal: said once per registry) that the detail repeats, and the line points at it
 * instead. The report keeps every row's detail.
 */
export function resultLines(r: SyncResult, said?: Map<string, string>, errorWithin?: (text: string) => string | undefined): string | undefined {
  const busy = r.targets.filter((t) => t.action !== 'skip');
  if (busy.length === 0) return undefined;
  return busy
    .map((t) => {
      const what = (t.action === 'copied' || t.action === 'forced') && t.engine === 'skopeo' ? `${t.action} by skopeo (blobs and bytes not counted)`
        : t.action === 'copied' || t.action === 'forced' ? `${t.action} (${t.blobs.copied} ${t.blobs.copied === 1 ? 'blob' : 'blobs'} uploaded, ${t.blobs.mounted} mounted, ${t.blobs.existing ? `${t.blobs.existing} already there, ` : ''}${formatBytes(t.bytes)}${foreignClause(t.blobs.foreign)})` : t.action;
      const line = `${r.source}:${r.tag} → ${t.repository}`;
      // Only a failure's reason points back: what a copy did (its referrers copied, its parts
      // refilled) is short, and "the same as for" an earlier copy reads as if this one had failed too.
      const cause = t.detail && t.action !== 'copied' && t.action !== 'forced' ? causeOf(t.detail, t.repository) : '';
      const first = cause ? said?.get(cause) : undefined;
      if (cause && !first) said?.set(cause, `${r.source}:${r.tag}`);
      // A detail can quote a registry: its line breaks must not start lines of their own.
      const why = first ? ` — the same as for ${first} above` : t.detail ? ` — ${oneLine(withoutSaid(t.detail, errorWithin))}` : '';
      return `${line}: ${what}${why}`;
    })
    .join('\n');
}

/**
 * A failure's detail without what names this one copy: the `destination REPOSITORY:` that starts
 * it, the request's path below /v2/ and the repository and tag of an image skopeo names
 * (`docker://HOST/REPO:TAG`: its refusal of an IPv6 host's every reference was said in full for
 * each tag). A target down for every repository (a 503, a 502 to each manifest PUT) then reads
 * once, where each repository's URL made each line new. A repository named in the registry's own
 * words (ECR's "create the repository …") still tells lines apart.
 */
function causeOf(detail: string, repository: string): string {
  const own = `destination ${repository}: `;
  return (detail.startsWith(own) ? detail.slice(own.length) : detail)
    .replace(/\/v2\/\S*/g, '/v2/…')
    .replace(/(docker:\/\/[^\s/]+)\/\S*?(?=:?\s|\)|$)/g, '$1/…');
}

/** A detail holding an error line said before (`errorWithin` finds it), that part pointing at it. */
export function withoutSaid(detail: string, errorWithin?: (text: string) => string | undefined): string {
  const said = errorWithin?.(detail);
  return said ? detail.replace(said, 'as the error line above says') : detail;
}

// Foreign layers were neither read nor written: said, so that a Windows image's small byte count is not taken for a partial copy.
function foreignClause(n: number | undefined): string {
  return n ? `; ${n} foreign ${n === 1 ? 'layer' : 'layers'} left at ${n === 1 ? 'its' : 'their'} URLs` : '';
}

/** resultLines for one run: repeated details point back at their first line, or at the run's error line. */
export function runResultLines(errorWithin?: (text: string) => string | undefined): (r: SyncResult) => string | undefined {
  const said = new Map<string, string>();
  return (r) => resultLines(r, said, errorWithin);
}

/** Control characters (line breaks, escapes) as spaces. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
