// The one-line summary and the "what now" advice, worded once for every human-facing format.
import { isSyncReport, type AnyReport, type SyncReport } from './model.js';
import { formatBytes, type ReportRow } from './rows.js';
import { referrerLacks, retargetsReferrers } from './referrer-lacks.js';
import { isLostAtSource, isRefusedAtSource } from './source-lacks.js';

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "verify" | "sync" | "plan" | "publish": what produced the report. */
export function reportKind(report: AnyReport): 'verify' | SyncReport['kind'] {
  return isSyncReport(report) ? report.kind : 'verify';
}

/** "5 repositories · 60 tags · 2 targets — 118 in sync, 2 drift, 0 errors" (or the sync/plan tally). */
export function summaryLine(report: AnyReport): string {
  const s = report.summary;
  const shape = `${count(s.repositories, 'repository', 'repositories')} · ${count(s.tags, 'tag')} · ${count(s.targets, 'target')}`;
  if (!isSyncReport(report)) {
    const v = report.summary;
    return `${shape} — ${v.inSync} in sync, ${v.drift} drift, ${count(v.errors, 'error')}`;
  }
  const y = report.summary;
  if (report.kind === 'plan') {
    return `${shape} — ${y.copied} to copy, ${y.skipped} already in place, ${count(y.conflicts, 'conflict')}, ${y.failed} failed · ${formatBytes(y.bytes)} to upload`;
  }
  const held = `${y.refused ? `, ${y.refused} refused` : ''}${y.moved ? `, ${y.moved} source-moved` : ''}`;
  // skopeo does not say what it sent: a run with its copies would claim only the native ones' bytes.
  const bySkopeo = report.results.some((r) => r.targets.some((t) => t.engine === 'skopeo' && (t.action === 'copied' || t.action === 'forced')));
  return `${shape} — ${y.copied} copied, ${y.skipped} skipped, ${count(y.conflicts, 'conflict')}, ${y.failed} failed${held} · ${formatBytes(y.bytes)} uploaded${bySkopeo ? ' (copies by skopeo not counted)' : ''}`;
}

/**
 * Said first by every rendering of a report SIGINT/SIGTERM cut short for people (a live run, `report
 * render`, the step summary, the HTML page): its rows are only those that finished, which must not read as a whole run.
 */
export function interruptedNote(report: AnyReport): string {
  return report.interrupted ? 'Interrupted (SIGINT/SIGTERM), or never ended (killed, or still running): this report is partial, only the rows that finished; run the same command again to finish' : '';
}

/** The words of registry/immutable-tag.ts's line, on a failed row (its own, or a referrer's). */
const IMMOVABLE = /: the registry refuses to move it \(.*: its tags are immutable, /;

/** What to do about these rows, or "" when nothing needs doing. */
export function nextStep(report: AnyReport, rows: ReportRow[]): string {
  const kind = reportKind(report);
  // No row at all is not "all in sync": a --filter typo, an empty shard or a run interrupted
  // before any copy finished (its cut-short rows are left out) would otherwise read as a clean one.
  // verify audits binaries, but one with a single target and no source has nothing to compare; sync copies images only.
  if (report.results.length === 0) {
    const why = kind === 'verify' ? 'only binaries entries with one target and no source (nothing to compare them with)'
      : kind === 'publish' ? 'no binaries entry selected' : 'no image selected (binaries are pushed by `regmirror publish`)';
    return `next: no rows: nothing was ${kind === 'verify' ? 'checked' : 'done'} (an empty --shard, ${why}, or a run interrupted before any row finished)`;
  }
  const states = new Set(rows.map((r) => r.state));
  const advice: string[] = [];
  if (kind === 'verify') {
    // sync copies images only: a binaries entry's missing tags are pushed by publish, from the release files.
    const lacks = new Set(rows.flatMap((r) => (r.state === 'missing-referrers' ? [...referrerLacks(r.detail)] : [])));
    const missing = rows.filter((r) => r.state === 'missing' || (r.state === 'missing-referrers' && referrerLacks(r.detail).has('missing')));
    // A tag whose source lacks parts of it (verify --deep) fails any sync: the source comes first.
    const lost = missing.filter((r) => isLostAtSource(r.detail));
    const refused = missing.filter((r) => isRefusedAtSource(r.detail));
    if (missing.some((r) => !r.binaries && !isLostAtSource(r.detail) && !isRefusedAtSource(r.detail))) advice.push('run `regmirror sync` to copy missing tags');
    // sync refuses a tag without a valid signature at the source, however often it runs.
    if (refused.length > 0) advice.push(`sync refuses ${refused.length === 1 ? 'a missing tag' : 'missing tags'} without a valid signature at the source (named in the detail): sign ${refused.length === 1 ? 'it' : 'them'} there, or leave ${refused.length === 1 ? 'it' : 'them'} out (tags rules, signatures.unsignedBefore)`);
    if (lost.length > 0) advice.push(`the source lacks parts of ${lost.length === 1 ? 'a missing tag' : 'missing tags'} (named in the detail): repair the source first (push the image to it again), then \`regmirror sync\``);
    // A plain sync skips a referrer tag in place: only --deep copies the parts verify --deep found absent below it.
    if (lacks.has('parts')) advice.push('a signature, attestation, SBOM or referrer whose parts are absent (verify --deep names them) needs `regmirror sync --deep`');
    // ... and sync --deep calls one at another digest a conflict: only --force puts the source's back.
    if (lacks.has('differs')) advice.push('a signature, attestation, SBOM or referrer tag that holds another digest at the target (`… differs`) needs `regmirror sync --force`, which retargets it (a plain sync takes a referrer tag in place as present)');
    if (missing.some((r) => r.binaries)) advice.push('missing binaries: push them with `regmirror publish --tag TAG` (sync copies images only)');
    // sync holds a tag the lock records at another digest, --force or not: only --accept-moved moves it.
    if (states.has('mismatch')) advice.push('mismatches need `regmirror sync --force` (with a `lock:` in mirrors.yaml, a tag the source moved needs `--accept-moved TAG` instead: `regmirror verify --lock` names them)');
    // A plain sync (even --force) skips a tag already at the source digest: only --deep looks below it.
    if (states.has('incomplete')) advice.push('incomplete images need `regmirror sync --deep`, which copies the parts a tag in place lacks (a plain sync skips them)');
    if (states.has('extra')) advice.push('extra tags exist only at targets: check them by hand');
    if (states.has('unsigned')) advice.push('unsigned images at targets: sync their signatures (`--force` where a target holds an invalid or swapped one), or remove images nobody signed');
    if (states.has('source-moved')) advice.push('source tags left the lock: check the new digests, then `regmirror sync --accept-moved TAG`');
    if (states.has('error')) advice.push('errors left the audit incomplete: fix what each one says (access, a registry down, a tag the source lacks), then rerun `regmirror verify`');
  } else {
    // A dry run with --force or --accept-moved plans copies over tags at another digest, which a sync without them holds as conflicts.
    // A signature tag in place at another digest counts as one (verify5: its plan said only "run `regmirror sync`").
    const retargets = rows.filter((r) => r.state === 'copy' && ((r.previousDigest !== null && r.previousDigest !== r.sourceDigest) || retargetsReferrers(r.detail))).length;
    if (kind === 'plan' && (states.has('copy') || states.has('forced'))) {
      advice.push(retargets === 0 ? 'run `regmirror sync` to copy'
        : `run \`regmirror sync\` to copy, with the --force or --accept-moved this plan was made with: ${retargets === 1 ? '1 copy retargets a tag' : `${retargets} copies retarget tags`} that ${retargets === 1 ? 'holds' : 'hold'} another digest at the target, which a sync without it holds back (conflict, or source-moved under a lock)`);
    }
    if (states.has('conflict')) advice.push('conflicts point at other digests: retarget them with --force');
    if (states.has('refused')) advice.push('refused tags carry no valid signature at the source: nothing of them was pushed');
    if (states.has('source-moved')) advice.push('source tags left the lock: check the new digests, then rerun with --accept-moved TAG');
    // A tag (or a signature tag of an image in place) the registry will not move failed a --force
    // retarget: only deleting it there, or mutable tags, lets `sync --force` through (verify5: ECR's
    // immutable tags; the advice said `sync --deep`, which skips both).
    // publish's are its own release files' tags: publish --force puts them back (publish3: it said sync).
    const immovable = kind !== 'plan' ? rows.filter((r) => r.state === 'failed' && IMMOVABLE.test(r.detail)) : [];
    if (immovable.length > 0) advice.push(`tags the registry will not move (immutable): delete them there or make its tags mutable, as each line says, then rerun \`regmirror ${kind} --force\``);
    // A plan writes nothing, so there is nothing to resume: plan again once the cause is fixed.
    // A tag already at the source digest that failed was being refilled (--deep): a plain sync skips it.
    const others = rows.filter((r) => r.state === 'failed' && !immovable.includes(r));
    const inPlace = kind === 'sync' && others.some((r) => r.previousDigest !== null && r.previousDigest === r.sourceDigest);
    if (others.length > 0) {
      advice.push(kind === 'plan' ? 'failures: fix their cause, then plan again' : inPlace ? 'failures: rerun `regmirror sync --deep` once fixed (it resumes; a plain sync skips a tag already in place)' : `failures: rerun \`regmirror ${kind}\` once fixed (it resumes)`);
    }
  }
  return advice.length === 0 ? '' : `next: ${advice.join('; ')}`;
}
