// The gateway's stats page (`/-/stats`, `regmirror report stats`): one self-contained HTML file,
// no external URL and no script; bars are plain CSS widths so it prints and screenshots as seen.
// A month of releases made the pulls tables wider than any screen (a column a day): the whole page
// scrolled sideways with the tag column and the totals out of sight, and a phone laid it out 980
// px wide, shrunk to unreadable (gateway5 hunt, 50 tags × 3 images over 30 days at 390 px). Each
// table now scrolls in its own box, the tag column stays put, the total comes right after it, and
// the viewport is the device's.
import { escapeHtml as h } from './escape.js';
import type { GatewayStats } from '../serve/stats.js';
import { compareTags } from '../types/tag.js';

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1f2328;background:#fff}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.6rem 0 .4rem}h3{font-size:1rem;margin:1rem 0 .3rem;word-break:break-all}
.muted{color:#656d76}.totals span{display:inline-block;margin-right:1.2rem;font-size:1.05rem}.totals b{font-size:1.3rem}
table{border-collapse:collapse;margin:.3rem 0}.wide{overflow-x:auto;max-width:100%}
.wide tbody th,.wide thead th:first-child{position:sticky;left:0;background:#fff;z-index:1}.wide thead th:first-child{background:#f6f8fa}th,td{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left}
thead th{background:#f6f8fa;font-size:.85rem}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;height:.8rem;background:#2da44e;vertical-align:middle;margin-right:.4rem}
.up{background:#dafbe1}.down{background:#ffebe9}
`;

/** Renders the page. */
export function renderStatsHtml(s: GatewayStats): string {
  const t = s.totals;
  const parts = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${h(s.host || 'regmirror gateway')} — pulls</title><style>${STYLE}</style></head><body>`,
    `<h1>${h(s.host || 'regmirror gateway')}: pulls</h1>`,
    `<p class="muted">generated ${h(s.generatedAt)}; a pull is a GET of a platform image manifest (retries within a session count once); HEADs and index GETs are version checks</p>`,
    `<p class="totals"><span><b id="total-pulls">${t.pulls}</b> pulls</span><span><b>${t.checks}</b> version checks</span><span><b>${t.repeats}</b> retries not counted</span><span><b>${t.blobs}</b> blob requests</span><span><b>${t.binaries}</b> binary downloads</span><span><b>${t.cacheHits}</b> manifests from the gateway's cache</span></p>`,
    '<h2>Pulls per release per day</h2>',
    ...pullsTables(s),
    '<h2>Share of pulls per release line</h2>',
    ...lineTables(s),
    '<h2>Backends</h2>',
    backendsTable(s),
    '</body></html>\n',
  ];
  return parts.join('\n');
}

function pullsTables(s: GatewayStats): string[] {
  if (s.pulls.size === 0) return ['<p class="muted">no pulls yet</p>'];
  const out: string[] = [];
  for (const image of [...s.pulls.keys()].sort()) {
    const tags = s.pulls.get(image)!;
    out.push(`<h3>${h(image)}</h3><div class="wide"><table><thead><tr><th>tag</th><th>total</th>${s.days.map((d) => `<th>${h(d)}</th>`).join('')}</tr></thead><tbody>`);
    // In version order: sorted as text, v1.10.0 came before v1.9.0 in a table of 50 releases (gateway5 hunt).
    for (const tag of [...tags.keys()].sort(compareTags)) {
      const perDay = tags.get(tag)!;
      const total = [...perDay.values()].reduce((a, b) => a + b, 0);
      const cells = s.days.map((d) => `<td class="n">${perDay.get(d) ?? ''}</td>`).join('');
      out.push(`<tr><th>${h(tag || '(by digest)')}</th><td class="n" data-pulls="${h(`${image}:${tag}`)}">${total}</td>${cells}</tr>`);
    }
    out.push('</tbody></table></div>');
  }
  return out;
}

function lineTables(s: GatewayStats): string[] {
  const out: string[] = [];
  for (const image of [...s.lines.keys()].sort()) {
    const lines = s.lines.get(image)!;
    const sum = lines.reduce((a, [, n]) => a + n, 0);
    out.push(`<h3>${h(image)}</h3><table><thead><tr><th>release line</th><th>pulls</th><th>share</th></tr></thead><tbody>`);
    for (const [line, n] of lines) {
      const pct = sum ? (100 * n) / sum : 0;
      out.push(`<tr><th>${h(line)}</th><td class="n">${n}</td><td><span class="bar" style="width:${(pct * 2).toFixed(0)}px"></span>${pct.toFixed(1)} %</td></tr>`);
    }
    out.push('</tbody></table>');
  }
  return out.length ? out : ['<p class="muted">no pulls yet</p>'];
}

function backendsTable(s: GatewayStats): string {
  const names = [...new Set([...s.health.map((b) => b.name), ...s.backends.keys()])].sort();
  if (names.length === 0) return '<p class="muted">no backend seen yet</p>';
  const live = s.health.length > 0;
  const rows = names.map((name) => {
    const seen = s.backends.get(name) ?? { requests: 0, errors: 0, stale: 0 };
    const hb = s.health.find((b) => b.name === name);
    const state = hb ? `<td class="${hb.healthy ? 'up' : 'down'}">${hb.healthy ? 'healthy' : 'down'}</td><td class="n">${hb.takenOut}</td><td>${h(hb.lastError)}</td>` : live ? '<td></td><td></td><td></td>' : '';
    return `<tr><th>${h(name)}</th><td class="n">${seen.requests}</td><td class="n">${seen.errors}</td><td class="n">${seen.stale}</td>${state}</tr>`;
  });
  const liveHead = live ? '<th>now</th><th title="times this backend was taken out of rotation after errors; /metrics counts each request that moved past it">taken out</th><th>last error</th>' : '';
  return `<div class="wide"><table><thead><tr><th>backend</th><th>requests</th><th>5xx answered</th><th>stale answers</th>${liveHead}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}
