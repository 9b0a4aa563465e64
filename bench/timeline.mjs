// Where a copy's round trips went: reads the timelines bench/lib/timeline-preload.mjs wrote (one
// JSON per copier run; `BENCH_TIMELINE=DIR npm run bench:compare` writes them) and prints, per
// copier and registry: requests by kind with their time on the wire, how many of the slots were
// busy each 250 ms, where each connection's time went (on the wire, idle between requests, before
// its first and after its last), how long requests waited inside undici before going out (a freed
// connection waits for the event loop) and how long a connection sat idle between an answer and
// its next request, and the event loop's stalls, each for the first 2 s and the rest.
//   node bench/timeline.mjs DIR/*.json
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const EARLY_MS = 2000;
const BIN_MS = 250;
const ms = (x) => `${x.toFixed(0)} ms`;
const pct = (sorted, p) => (sorted.length ? sorted[Math.floor(p * (sorted.length - 1))] : 0);

/** `N <what> <total> in all (p50, p90, p99)` of some durations in ms. */
function spread(values, what) {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return `${sorted.length} ${what} ${ms(sum)} in all (p50 ${pct(sorted, 0.5).toFixed(1)}, p90 ${pct(sorted, 0.9).toFixed(1)}, p99 ${pct(sorted, 0.99).toFixed(1)} ms)`;
}

/** Appends `value` to the list under `key`. */
function add(map, key, value) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** created → sent, summed and spread, for the requests created in [lo, hi). */
function waits(requests, lo, hi) {
  return spread(requests.filter((r) => r.created >= lo && r.created < hi).map((r) => r.sent - r.created), 'requests waited');
}

/** Mean requests on the wire (sent → ended) in each BIN_MS. */
function inFlight(requests) {
  const bins = [];
  for (const r of requests) {
    for (let b = Math.floor(r.sent / BIN_MS); b <= Math.floor(r.ended / BIN_MS); b++) {
      const overlap = Math.min(r.ended, (b + 1) * BIN_MS) - Math.max(r.sent, b * BIN_MS);
      bins[b] = (bins[b] ?? 0) + overlap / BIN_MS;
    }
  }
  return Array.from(bins, (x) => (x ?? 0).toFixed(0)).join(' ');
}

/** The requests of each connection in the order sent (timelines from an older preload have none). */
function byConnection(requests) {
  const byConn = new Map();
  for (const r of requests) if (r.conn !== undefined) add(byConn, r.conn, r);
  for (const rs of byConn.values()) rs.sort((a, b) => a.sent - b.sent);
  return byConn;
}

/**
 * How long a connection sat idle between an answer (its last byte) and its next request's headers,
 * for the requests sent in [lo, hi): what a copier's turnaround costs a registry's slots.
 */
function idle(byConn, lo, hi) {
  const gaps = [];
  for (const rs of byConn.values()) {
    for (let i = 1; i < rs.length; i++) if (rs[i].sent >= lo && rs[i].sent < hi) gaps.push(Math.max(0, rs[i].sent - rs[i - 1].ended));
  }
  return spread(gaps, 'gaps,');
}

/**
 * A registry's connection-seconds over the run (connections × first request to last answer),
 * split into: busy (a request on the wire), idle between an answer and the connection's next
 * request, before its first request, and after its last answer (a run's tail: the last chains
 * of requests walking with few connections busy).
 */
function slotSeconds(byConn, first, last) {
  if (byConn.size === 0) return 'no connection ids (a timeline from an older preload)';
  let busy = 0, between = 0, before = 0, after = 0;
  for (const rs of byConn.values()) {
    const start = rs[0].sent;
    const end = Math.max(...rs.map((r) => r.ended));
    const onWire = rs.reduce((a, r) => a + (r.ended - r.sent), 0);
    busy += onWire;
    between += end - start - onWire;
    before += start - first;
    after += last - end;
  }
  const s = (x) => `${(x / 1000).toFixed(1)}`;
  return `${byConn.size} connections × ${s(last - first)} s = ${s(byConn.size * (last - first))} connection-seconds: busy ${s(busy)}, idle between requests ${s(between)}, before the first request ${s(before)}, after the last answer ${s(after)}`;
}

function stallLine(stalls, lo, hi) {
  const s = stalls.filter(([t]) => t >= lo && t < hi);
  return `${s.length} stalls over 3 ms, ${ms(s.reduce((a, [, d]) => a + d, 0))} in all, longest ${ms(Math.max(0, ...s.map(([, d]) => d)))}`;
}

for (const file of process.argv.slice(2)) {
  const { exit, requests, stalls } = JSON.parse(readFileSync(file, 'utf8'));
  const sent = requests.filter((r) => r.sent !== undefined);
  process.stdout.write(`\n== ${basename(file)}: exit at ${ms(exit)}, ${requests.length} requests\n`);
  for (const origin of [...new Set(sent.map((r) => r.origin))]) {
    const rs = sent.filter((r) => r.origin === origin);
    const first = Math.min(...rs.map((r) => r.sent));
    const last = Math.max(...rs.map((r) => r.ended));
    const busy = rs.reduce((a, r) => a + (r.ended - r.sent), 0);
    const byKind = new Map();
    for (const r of rs) add(byKind, r.kind, r.ended - r.sent);
    const byConn = byConnection(rs);
    process.stdout.write(`${origin}: first sent at ${ms(first)}, last answer at ${ms(last)}, ${(busy / 1000).toFixed(2)} slot-seconds busy (mean ${(busy / (last - first)).toFixed(2)} in flight)\n`);
    process.stdout.write(`  ${[...byKind].map(([k, d]) => `${k} ${d.length}×${(d.reduce((a, b) => a + b, 0) / d.length).toFixed(1)} ms`).join(', ')}\n`);
    process.stdout.write(`  in flight per ${BIN_MS} ms: ${inFlight(rs)}\n`);
    process.stdout.write(`  waits in undici, first ${EARLY_MS / 1000} s: ${waits(rs, 0, EARLY_MS)}\n`);
    process.stdout.write(`  waits in undici, after: ${waits(rs, EARLY_MS, Infinity)}\n`);
    process.stdout.write(`  ${slotSeconds(byConn, first, last)}\n`);
    process.stdout.write(`  connections idle between an answer and the next request, first ${EARLY_MS / 1000} s: ${idle(byConn, 0, EARLY_MS)}\n`);
    process.stdout.write(`  connections idle between an answer and the next request, after: ${idle(byConn, EARLY_MS, Infinity)}\n`);
  }
  process.stdout.write(`event loop, first ${EARLY_MS / 1000} s: ${stallLine(stalls, 0, EARLY_MS)}; after: ${stallLine(stalls, EARLY_MS, Infinity)}\n`);
}
