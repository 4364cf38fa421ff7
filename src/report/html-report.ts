/**
 * The storm report as one self-contained HTML file: uPlot (from node_modules) and the report's JSON inlined, so the
 * file opens anywhere without a network. Charts: the throughput timeline beside the shape's target, --find-max's curve
 * (rate vs p99); tables: latency percentiles (from the send and from the intended time), publish delay, sentiment mix,
 * partitions, settings, versions, machine, notes.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describeKeys } from '../scenario/keys.js';
import type { Percentiles, StormReport, StormSettings } from './storm-report.js';

const require = createRequire(import.meta.url);
const esc = (s: unknown) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
const en = (n: number) => Math.round(n).toLocaleString('en-US');
const table = (rows: [string, unknown][]) =>
  `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;

/** The settings as rows: data rendered as text, the reproducing flags as the command line they make. */
const settingsRows = ({ flags: _flags, keys, brands, client, ...rest }: StormSettings): [string, unknown][] => [
  ...Object.entries(rest),
  ['keys', describeKeys(keys)],
  // Secrets were masked when the report was built.
  [
    'client settings',
    Object.entries(client ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(', ') || 'none',
  ],
  // Reports saved before the settings held the brands have none to show.
  ...((brands ? [['brands', brands.join(', ')]] : []) as [string, unknown][]),
];

export function renderStormHtml(report: StormReport): string {
  const uplotJs = fs.readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const uplotCss = fs.readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const sentiment = report.sentiment;
  const lat = report.latencyMs;
  // </script> inside the JSON would end the script element early.
  const data = JSON.stringify({
    timeline: report.timeline,
    target: report.schedule.perSecond.length ? report.schedule.perSecond.map((p) => p[2]) : null,
    steps: report.findMax?.steps ?? [],
  }).replace(/</g, '\\u003c');
  const omission = report.coordinatedOmission;
  const pct = (p: Percentiles | null) => (p ? `p50 ${p.p50}, p99 ${p.p99}, p99.9 ${p.p999}, max ${p.max}` : '-');
  const findMax = report.findMax;
  const warmup = report.warmup
    ? `; warm-up ${report.warmup.seconds} s (${en(report.warmup.acknowledged)} acknowledged, not counted here)`
    : '';
  const step = (x: NonNullable<typeof findMax>['steps'][number]): [string, string] => [
    `${en(x.rate)}/s`,
    `${en(x.achieved)}/s, p99 ${x.p99Ms ?? '-'} ms, behind ${en(x.behind)}: ` +
      (x.held ? 'held' : `failed (${x.reason})`),
  ];
  const held = findMax?.maxRate === null || !findMax ? 'none' : `${en(findMax.maxRate)} msgs/s`;
  const findMaxHtml = findMax
    ? `<h2>find-max: highest rate held ${held}</h2><div id="curve"></div>\n${table(findMax.steps.map(step))}`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DataStorm run ${esc(report.runId)}</title>
<style>${uplotCss}
body{font:14px system-ui,sans-serif;margin:16px;color:#222} h1{font-size:20px} h2{font-size:15px;margin-top:20px}
table{border-collapse:collapse} th{text-align:left;padding:2px 12px 2px 0;font-weight:500} td{padding:2px 8px}
.big{font-size:22px;font-weight:600}</style></head><body>
<h1>DataStorm run ${esc(report.runId)}</h1>
<p>topic <b>${esc(report.topic)}</b> on ${report.brokers} broker(s), started ${esc(report.startedAt)}</p>
<p class="big" id="acknowledged">${
    report.acknowledged === null ? `${en(report.sent)} sent (acks=0)` : `${en(report.acknowledged)} acknowledged`
  }
 in ${report.elapsedSec} s: ${en(report.rate.average)} msgs/s average, ${en(report.rate.peak)} peak,
 ${report.megabytesPerSec} MB/s</p>
<p>shape: ${esc(report.schedule.description)}${warmup}</p>
<h2>throughput, acknowledged msgs/s per second${report.schedule.perSecond.length ? ' and the target' : ''}</h2>
<div id="timeline"></div>
${findMaxHtml}
<h2>delivery latency (ms)</h2>
${
  lat
    ? table([
        ['p50', lat.p50],
        ['p95', lat.p95],
        ['p99', lat.p99],
        ['p99.9', lat.p999],
        ['max', lat.max],
        ['messages', en(lat.samples)],
      ])
    : '<p>none (acks=0)</p>'
}
${
  omission
    ? `<h2>against the intended send times (ms)</h2>${table([
        ['publish delay', pct(omission.publishDelayMs)],
        ['latency from the intended time', pct(omission.latencyFromIntendedMs)],
      ])}`
    : ''
}
<h2>partitions (${esc(describeKeys(report.settings.keys))}; busiest/mean ${report.partitions.skew ?? '-'})</h2>
${table(report.partitions.acknowledged.map((n, p) => [`partition ${p}`, en(n)]))}
<h2>sentiment (${esc(sentiment.mode)})</h2>
${table([
  ['positive', `${en(sentiment.counts.positive)} (${sentiment.shares.positive}%)`],
  ['negative', `${en(sentiment.counts.negative)} (${sentiment.shares.negative}%)`],
  ['neutral', `${en(sentiment.counts.neutral)} (${sentiment.shares.neutral}%)`],
  ['requested', sentiment.requested.join(' / ')],
  ...(sentiment.batchPositiveShareStd !== null
    ? ([['per-batch positive share std', sentiment.batchPositiveShareStd]] as [string, unknown][])
    : []),
])}
<h2>failures</h2>${table([['failed', en(report.failed)], ...Object.entries(report.failedByKind)])}
<h2>durability</h2><p>${esc(report.durability)}</p>
<h2>settings</h2>${table(settingsRows(report.settings))}
<h2>versions</h2>${table(Object.entries(report.versions))}
<h2>machine</h2>${table(Object.entries(report.machine))}
${report.notes.length ? `<h2>notes</h2><ul>${report.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<script>${uplotJs}</script>
<script>
const d = ${data};
const series = [{ label: 's' }, { label: 'acknowledged/s', stroke: '#1565c0' }];
const cols = [d.timeline.map((p) => p[0]), d.timeline.map((p) => p[1])];
if (d.target) { series.push({ label: 'target/s', stroke: '#999', dash: [4, 4] }); cols.push(d.target); }
new uPlot({ width: 800, height: 260, scales: { x: { time: false } }, series, axes: [{}, { size: 70 }] },
  cols, document.getElementById('timeline'));
if (d.steps.length) new uPlot({ width: 800, height: 260, scales: { x: { time: false } },
  series: [{ label: 'target msgs/s' }, { label: 'p99 ms', stroke: '#c62828' },
    { label: 'acknowledged/s', stroke: '#1565c0', scale: 'r' }],
  axes: [{}, { size: 60 }, { scale: 'r', side: 1, size: 70 }] },
  [d.steps.map((x) => x.rate), d.steps.map((x) => x.p99Ms), d.steps.map((x) => x.achieved)],
  document.getElementById('curve'));
</script></body></html>
`;
}
