// The numbers of the stats page, from event lines (live, or an events file offline): pulls per
// release per day, each release line's share of pulls (how fast users move to a new release), and
// what each backend answered. Pure.
import type { GatewayEvent } from './events.js';

/** A backend's live state, when the page comes from a running gateway. */
export interface BackendHealth { name: string; healthy: boolean; takenOut: number; lastError: string }

/** Everything the page shows. */
export interface GatewayStats {
  generatedAt: string;
  host: string;
  totals: { pulls: number; repeats: number; checks: number; blobs: number; binaries: number; cacheHits: number };
  /** image → tag → day (YYYY-MM-DD) → pulls. */
  pulls: Map<string, Map<string, Map<string, number>>>;
  days: string[];
  /** image → release line (v1.16) → pulls, largest first. */
  lines: Map<string, [string, number][]>;
  /** backend → requests, errors (status ≥ 500), stale answers. */
  backends: Map<string, { requests: number; errors: number; stale: number }>;
  health: BackendHealth[];
}

/** The release line of a tag: "v1.16.3" → "v1.16"; anything not a version stays as it is. */
export function releaseLine(tag: string): string {
  const m = /^(v?\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(tag);
  return m ? `${m[1]}.${m[2]}` : tag || '(by digest)';
}

/** An error of the backend the event names: a 5xx, unless the gateway's shutdown cut the request off. */
export function againstBackend(e: GatewayEvent): boolean {
  return e.status >= 500 && e.cutOff === undefined;
}

/** Aggregates event lines. */
export function aggregate(events: Iterable<GatewayEvent>, opts: { host?: string; health?: BackendHealth[]; now?: Date } = {}): GatewayStats {
  const s: GatewayStats = {
    generatedAt: (opts.now ?? new Date()).toISOString(), host: opts.host ?? '',
    totals: { pulls: 0, repeats: 0, checks: 0, blobs: 0, binaries: 0, cacheHits: 0 },
    pulls: new Map(), days: [], lines: new Map(), backends: new Map(), health: opts.health ?? [],
  };
  const days = new Set<string>();
  const lines = new Map<string, Map<string, number>>();
  for (const e of events) {
    if (e.cache) s.totals.cacheHits++;
    if (e.backend && e.backend !== 'cache') {
      const b = s.backends.get(e.backend) ?? { requests: 0, errors: 0, stale: 0 };
      b.requests++;
      if (againstBackend(e)) b.errors++;
      if (e.cache === 'stale') b.stale++;
      s.backends.set(e.backend, b);
    }
    if (e.kind === 'check' && e.status < 400) s.totals.checks++;
    else if (e.kind === 'blob') s.totals.blobs++;
    else if (e.kind === 'binary' && e.status < 400) s.totals.binaries++;
    if (e.kind !== 'pull' || e.status >= 400) continue;
    if (e.repeat) {
      s.totals.repeats++;
      continue;
    }
    s.totals.pulls++;
    const day = e.time.slice(0, 10);
    days.add(day);
    const tags = s.pulls.get(e.image) ?? new Map<string, Map<string, number>>();
    const perDay = tags.get(e.tag) ?? new Map<string, number>();
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    tags.set(e.tag, perDay);
    s.pulls.set(e.image, tags);
    const l = lines.get(e.image) ?? new Map<string, number>();
    l.set(releaseLine(e.tag), (l.get(releaseLine(e.tag)) ?? 0) + 1);
    lines.set(e.image, l);
  }
  s.days = [...days].sort();
  for (const [image, l] of lines) s.lines.set(image, [...l].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  return s;
}

/**
 * What the live page counts of the events it does not keep (blob and other requests: most of a
 * gateway's traffic, kept only as counts). Without it the live page said "0 blob requests" while
 * clients pulled layers, and each backend's requests counted manifests alone.
 */
export interface UnkeptTally { blobs: number; backends: Map<string, { requests: number; errors: number; stale: number }> }

export function emptyUnkept(): UnkeptTally {
  return { blobs: 0, backends: new Map() };
}

/** Counts `e` into `t` as aggregate would have. */
export function tallyUnkept(t: UnkeptTally, e: GatewayEvent): void {
  if (e.kind === 'blob') t.blobs++;
  if (!e.backend || e.backend === 'cache') return;
  const b = t.backends.get(e.backend) ?? { requests: 0, errors: 0, stale: 0 };
  b.requests++;
  if (againstBackend(e)) b.errors++;
  if (e.cache === 'stale') b.stale++;
  t.backends.set(e.backend, b);
}

/** `s` with the unkept events' counts added. */
export function withUnkept(s: GatewayStats, t: UnkeptTally): GatewayStats {
  s.totals.blobs += t.blobs;
  for (const [host, add] of t.backends) {
    const b = s.backends.get(host) ?? { requests: 0, errors: 0, stale: 0 };
    s.backends.set(host, { requests: b.requests + add.requests, errors: b.errors + add.errors, stale: b.stale + add.stale });
  }
  return s;
}

/** Parses an NDJSON events file; lines that are not events are skipped and counted. */
export function parseEvents(text: string): { events: GatewayEvent[]; skipped: number } {
  const events: GatewayEvent[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as GatewayEvent;
      if (typeof e.time === 'string' && typeof e.kind === 'string' && typeof e.status === 'number') events.push(e);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { events, skipped };
}
