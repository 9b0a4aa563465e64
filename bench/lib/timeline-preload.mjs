// Preloaded into a copier (`node --import …/timeline-preload.mjs`; compare.mjs does it with
// BENCH_TIMELINE=DIR): records every HTTP request's life from undici's public diagnostics
// channels, and the event loop's stalls, so `node bench/timeline.mjs DIR/*.json` can say where a
// run's round trips went. Works on any program that uses undici (regmirror, the bare copier) and
// changes nothing in it but a subscriber per channel and a 1 ms timer.
import dc from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const dir = process.env.BENCH_TIMELINE;
const now = () => performance.now(); // ms since the process started
const open = new Map();
const done = [];
const kind = (method, path) => `${method} ${path.includes('/manifests/') ? 'manifest' : path.includes('/blobs/uploads') ? 'upload' : path.includes('/blobs/') ? 'blob' : path.includes('/tags/') ? 'tags' : 'other'}`;

// created: undici has the request (a free connection sends it at once, else it waits in undici);
// sent: its headers are on the wire; answered: response headers; ended: the body's last byte.
dc.subscribe('undici:request:create', ({ request }) => open.set(request, { origin: request.origin, kind: kind(request.method, request.path), created: now() }));
// conn: which connection carried it (numbered in order of first use), for the idle gaps between requests.
const conns = new WeakMap();
let connCount = 0;
dc.subscribe('undici:client:sendHeaders', ({ request, socket }) => {
  const r = open.get(request);
  if (!r) return;
  r.sent = now();
  if (!socket) return;
  if (!conns.has(socket)) conns.set(socket, connCount++);
  r.conn = conns.get(socket);
});
dc.subscribe('undici:request:headers', ({ request }) => { const r = open.get(request); if (r) r.answered = now(); });
const end = (failed) => ({ request }) => {
  const r = open.get(request);
  if (!r) return;
  r.ended = now();
  if (failed) r.failed = true;
  open.delete(request);
  done.push(r);
};
dc.subscribe('undici:request:trailers', end(false));
dc.subscribe('undici:request:error', end(true));

// A 1 ms timer that fires late by more than 3 ms saw the event loop busy for that long.
const stalls = [];
let last = now();
setInterval(() => {
  const t = now();
  if (t - last > 3) stalls.push([Math.round(last), Math.round(t - last)]);
  last = t;
}, 1).unref();

process.on('exit', () => {
  if (!dir) return;
  const name = `${basename(process.argv[1] ?? 'node')}-${process.pid}.json`;
  writeFileSync(join(dir, name), JSON.stringify({ exit: now(), requests: done, stalls }));
});
