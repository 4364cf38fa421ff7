/**
 * The dashboard page: plain HTML and one script that draws uPlot charts from the server's events (storm, pulse,
 * brandpulse, end). Every figure on it is a field of an engine's 'tick' event or of the report: no counting here.
 * Charts are placed by the server's clock (each event's `at`): a page opened late gets the run's last hour at once.
 * What comes from data (the title, brands, notes, partitions) is written as text, never as markup.
 */
import { esc as escapeHtml } from '../report/html-parts.js';

export function dashboardPage(title: string): string {
  const heading = escapeHtml(title);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${heading}</title>
<link rel="stylesheet" href="/uplot.css">
<style>
body{font:14px system-ui,sans-serif;margin:16px;background:#fafafa;color:#222}
h1{font-size:20px;margin:0 0 8px} h2{font-size:15px;margin:16px 0 4px}
.row{display:flex;flex-wrap:wrap;gap:16px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 12px}
.big{font-size:22px;font-weight:600} table{border-collapse:collapse} td,th{padding:2px 8px;text-align:right}
#state{font-weight:600}
</style></head><body>
<h1>${heading} <span id="state">waiting for data</span></h1>
<div class="row">
 <div class="card">acknowledged<div class="big" id="acked">0</div>of <span id="target">-</span></div>
 <div class="card">now<div class="big" id="rate">0</div>msgs/s (target <span id="target-rate">-</span>)</div>
 <div class="card">elapsed<div class="big" id="elapsed">0 s</div>remaining <span id="remaining">-</span></div>
 <div class="card">failed<div class="big" id="failed">0</div><span id="failed-kinds"></span></div>
 <div class="card">in flight<div class="big" id="in-flight">0</div>behind <span id="behind">0</span></div>
</div>
<div class="row">
 <div><h2>acknowledged msgs/s and target</h2><div id="chart-rate"></div></div>
 <div><h2>delivery latency, ms (<span id="latency-from">worst child</span>)</h2><div id="chart-latency"></div></div>
 <div><h2>sentiment handed per second, %</h2><div id="chart-mix"></div></div>
</div>
<h2>children</h2><table id="children"><tr><th>child</th><th>RSS MiB</th><th>loop delay p99 ms</th></tr></table>
<h2>readers (consumer groups in the run)</h2><table id="readers"><tr><th>none</th></tr></table>
<h2>BrandPulse <span id="bp-age"></span> <span id="bp-note"></span></h2>
<div class="row">
 <div><h3>tweets per second in InfluxDB, last minute</h3><div id="chart-bp"></div></div>
 <div class="card">last minute: positive <b id="bp-positive">0</b>, negative <b id="bp-negative">0</b>,
  neutral <b id="bp-neutral">0</b><table id="bp-brands"></table></div>
 <div class="card">pulse lag per partition (committed offsets)<table id="lag"></table></div>
 <div><h3>freshness: created_at to queryable in InfluxDB, s</h3><div id="chart-fresh"></div></div>
</div>
<script src="/uplot.js"></script>
<script>
${DASHBOARD_SCRIPT}</script></body></html>
`;
}

/** The page's one script: the server's events into the cards and uPlot charts (static; the data arrives as events). */
const DASHBOARD_SCRIPT = `const N = 3600, fmt = (n) => Math.round(n).toLocaleString('en-US');
const $ = (id) => document.getElementById(id);
function chart(id, labels, colors) {
  const data = [[], ...labels.map(() => [])];
  const series = [{}, ...labels.map((l, i) => ({ label: l, stroke: colors[i] }))];
  const u = new uPlot({ width: 420, height: 200, series, axes: [{}, { size: 60 }] }, data, $(id));
  return { data, push(x, ys) { data[0].push(x); ys.forEach((y, i) => data[i + 1].push(y));
    if (data[0].length > N) data.forEach((a) => a.shift()); u.setData(data); }, set(cols) { u.setData(cols); } };
}
const rate = chart('chart-rate', ['acknowledged/s', 'target'], ['#1565c0', '#999']);
const latency = chart('chart-latency', ['p50', 'p99'], ['#2e7d32', '#c62828']);
const mix = chart('chart-mix', ['positive', 'negative', 'neutral'], ['#2e7d32', '#c62828', '#757575']);
const bp = chart('chart-bp', ['positive', 'negative', 'neutral'], ['#2e7d32', '#c62828', '#757575']);
const fresh = chart('chart-fresh', ['p50', 'p99'], ['#2e7d32', '#c62828']);
let lastMix = null;
// Tables are built as text nodes: brands, partitions and notes come from data and are never read as markup.
function fill(id, header, rows) {
  const table = $(id);
  table.replaceChildren();
  [header, ...rows].forEach((cells, i) => {
    if (!cells) return;
    const tr = table.insertRow();
    for (const c of cells) tr.appendChild(document.createElement(i === 0 ? 'th' : 'td')).textContent = String(c);
  });
}
const clock = (s) => !isFinite(s) || s < 0 ? '-' : new Date(Math.round(s) * 1000).toISOString().slice(11, 19);
const es = new EventSource('/events');
es.addEventListener('storm', (e) => {
  const t = JSON.parse(e.data), now = t.at / 1000;
  $('state').textContent = 'running'; $('acked').textContent = fmt(t.acked);
  $('target').textContent = t.target != null ? fmt(t.target) : (t.durationSec != null ? t.durationSec + ' s' : '-');
  $('rate').textContent = fmt(t.currentRate);
  $('target-rate').textContent = (t.targetRate ? fmt(t.targetRate) : 'none') +
    (t.warmingUp ? ', warming up: not counted' : '');
  $('elapsed').textContent = clock(t.elapsedSec);
  const left = t.target != null && t.averageRate > 0 ? (t.target - t.acked) / t.averageRate
    : t.durationSec != null ? t.durationSec - t.elapsedSec : NaN;
  $('remaining').textContent = clock(left); $('failed').textContent = fmt(t.errors);
  $('failed-kinds').textContent = Object.entries(t.failedByKind).map(([k, v]) => k + ': ' + fmt(v)).join(', ');
  $('in-flight').textContent = fmt(t.inFlight); $('behind').textContent = fmt(t.behind);
  rate.push(now, [t.currentRate, t.targetRate]);
  if (t.latencyMs) latency.push(now, [t.latencyMs.p50, t.latencyMs.p99]);
  if (t.latencyFrom) $('latency-from').textContent = t.latencyFrom;
  if (lastMix) { const d = t.mix.map((x, i) => x - lastMix[i]), s = d[0] + d[1] + d[2];
    if (s > 0) mix.push(now, d.map((x) => 100 * x / s)); }
  lastMix = t.mix;
  fill('children', ['child', 'RSS MiB', 'loop delay p99 ms'],
    t.children.map((c) => [c.slot, c.rssMiB, c.loopDelayP99Ms]));
  if (t.readers) fill('readers',
    ['group', 'read', 're-read', 'backlog', 'e2e p50 ms', 'e2e p99 ms', 'from intended p99 ms'],
    t.readers.map((g) => [g.group, fmt(g.consumed), fmt(g.reread), fmt(g.backlog),
      g.e2e ? g.e2e.p50 : '-', g.e2e ? g.e2e.p99 : '-', g.intendedP99 ?? '-']));
});
es.addEventListener('end', (e) => {
  const r = JSON.parse(e.data);
  $('state').textContent = 'finished';
  if (r.consumed === undefined) $('acked').textContent = fmt(r.acknowledged ?? r.sent);
});
es.addEventListener('pulse', (e) => {
  const t = JSON.parse(e.data);
  $('state').textContent = 'pulse running: ' + fmt(t.consumed) + ' consumed, ' + fmt(t.points) + ' points written';
  fill('lag', null, Object.entries(t.lagByPartition).map(([p, n]) => [p, fmt(n)]));
  if (t.freshnessMs) fresh.push(t.at / 1000, [t.freshnessMs.p50 / 1000, t.freshnessMs.p99 / 1000]);
});
es.addEventListener('brandpulse', (e) => {
  const v = JSON.parse(e.data);
  $('bp-note').textContent = v.notes.join('; ');
  $('bp-age').textContent = v.newestSecondAgoSec == null ? ''
    : '(newest second in InfluxDB ended ' + v.newestSecondAgoSec.toFixed(1) + ' s before the query)';
  bp.set([0, 1, 2, 3].map((i) => v.perSecond.map((r) => r[i])));
  const sum = (k) => Object.values(v.byBrand).reduce((a, b) => a + b[k], 0);
  $('bp-positive').textContent = fmt(sum('positive')); $('bp-negative').textContent = fmt(sum('negative'));
  $('bp-neutral').textContent = fmt(sum('neutral'));
  fill('bp-brands', ['brand', '+', '-', '='], Object.entries(v.byBrand)
    .map(([b, s]) => [b, fmt(s.positive), fmt(s.negative), fmt(s.neutral)]));
  if (Object.keys(v.lagByPartition).length)
    fill('lag', null, Object.entries(v.lagByPartition).map(([p, n]) => [p, n < 0 ? 'none committed' : fmt(n)]));
});
`;
