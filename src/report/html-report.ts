/**
 * The storm report as one self-contained HTML file: uPlot (from node_modules) and the report's JSON inlined, so the
 * file opens anywhere without a network. Charts: the throughput timeline beside the shape's target, --find-max's curve
 * (rate vs p99); tables: latency percentiles (from the send and from the intended time), publish delay, sentiment mix,
 * thresholds, readers (each group's reads against the writes, end-to-end latency), partitions, settings, versions,
 * machine, notes.
 */
import type { EndToEndPercentiles } from '../measure/histograms.js';
import { describeKeys } from '../scenario/keys.js';
import { en, esc, latencyTable, PAGE_STYLE, scriptData, table, uplotAssets } from './html-parts.js';
import { mergedSection } from './merged-html.js';
import type { ReaderGroupReport, ReadersReport } from './readers-report.js';
import type { Percentiles, StormReport, StormSettings } from './storm-report.js';
import { thresholdCases } from './threshold-lines.js';

/** --threshold: each with its value and ✓/✗, under a heading with the verdict. */
function thresholdsSection(report: StormReport): string {
  const cases = thresholdCases(report.thresholds);
  if (cases.length === 0) return '';
  const failed = cases.filter((c) => !c.passed).length;
  const verdict = failed ? `${failed} of ${cases.length} failed` : `all ${cases.length} passed`;
  return `<h2 id="thresholds">thresholds: ${verdict}</h2>${table(
    cases.map((c) => [`${c.passed ? '✓' : '✗'} ${c.name}`, c.detail]),
  )}\n`;
}

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
  const uplot = uplotAssets();
  const merged = report.merged ? mergedSection(report.merged) : undefined;
  const sentiment = report.sentiment;
  const data = scriptData({
    timeline: report.timeline,
    target: report.schedule.perSecond.length ? report.schedule.perSecond.map((p) => p[2]) : null,
    steps: report.findMax?.steps ?? [],
  });
  const warmup = report.warmup
    ? `; warm-up ${report.warmup.seconds} s (${en(report.warmup.acknowledged)} acknowledged, not counted here)`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DataStorm run ${esc(report.runId)}</title>
<style>${uplot.css}
${PAGE_STYLE}</style></head><body>
<h1>DataStorm run ${esc(report.runId)}</h1>
<p>topic <b>${esc(report.topic)}</b> on ${report.brokers} broker(s), started ${esc(report.startedAt)}</p>
<p class="big" id="acknowledged">${
    report.acknowledged === null ? `${en(report.sent)} sent (acks=0)` : `${en(report.acknowledged)} acknowledged`
  }
 in ${report.elapsedSec} s: ${en(report.rate.average)} msgs/s average, ${en(report.rate.peak)} peak,
 ${report.megabytesPerSec} MB/s</p>
<p>shape: ${esc(report.schedule.description)}${warmup}</p>
${thresholdsSection(report)}
<h2>throughput, acknowledged msgs/s per second${report.schedule.perSecond.length ? ' and the target' : ''}</h2>
<div id="timeline"></div>
${findMaxHtml(report.findMax)}
${latencyHtml(report)}
${report.readers ? readersHtml(report.readers, report.rate.average) : ''}
<h2>partitions (${esc(describeKeys(report.settings.keys))}; busiest/mean ${report.partitions.skew ?? '-'})</h2>
${table(report.partitions.acknowledged.map((n, p) => [`partition ${p}`, en(n)]))}
${sentiment ? sentimentHtml(sentiment) : recordHtml(report.record)}
<h2>failures</h2>${table([['failed', en(report.failed)], ...Object.entries(report.failedByKind)])}
<h2>durability</h2><p>${esc(report.durability)}</p>
<h2>settings</h2>${table(settingsRows(report.settings))}
<h2>versions</h2>${table(Object.entries(report.versions))}
<h2>machine</h2>${table(Object.entries(report.machine))}
${report.notes.length ? `<h2>notes</h2><ul>${report.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
${merged ? `<h1>The run, all instances merged</h1>${merged.html}` : ''}
<script>${uplot.js}</script>
${merged ? `<script>${merged.script}</script>` : ''}
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

function findMaxHtml(findMax: StormReport['findMax']): string {
  if (!findMax) return '';
  const step = (x: NonNullable<typeof findMax>['steps'][number]): [string, string] => [
    `${en(x.rate)}/s`,
    `${en(x.achieved)}/s, p99 ${x.p99Ms ?? '-'} ms, behind ${en(x.behind)}: ` +
      (x.held ? 'held' : `failed (${x.reason})`),
  ];
  const held = findMax.maxRate === null ? 'none' : `${en(findMax.maxRate)} msgs/s`;
  return `<h2>find-max: highest rate held ${held}</h2><div id="curve"></div>\n${table(findMax.steps.map(step))}`;
}

/** Delivery latency, and against the intended send times under a rate schedule. */
function latencyHtml(report: StormReport): string {
  const omission = report.coordinatedOmission;
  const pct = (p: Percentiles | null) => (p ? `p50 ${p.p50}, p99 ${p.p99}, p99.9 ${p.p999}, max ${p.max}` : '-');
  const delivery = `<h2>delivery latency (ms)</h2>\n${latencyTable(report.latencyMs, 'none (acks=0)')}`;
  if (!omission) return `${delivery}\n`;
  const against = table([
    ['publish delay', pct(omission.publishDelayMs)],
    ['latency from the intended time', pct(omission.latencyFromIntendedMs)],
  ]);
  return `${delivery}\n<h2>against the intended send times (ms)</h2>${against}`;
}

/** Each group: what it read against what was written, its rate against the publish rate, end to end latency. */
function readersHtml(r: ReadersReport, publishRate: number): string {
  const e2e = (p: EndToEndPercentiles | null) =>
    p ? `p50 ${p.p50} · p95 ${p.p95} · p99 ${p.p99} · p99.9 ${p.p999} · p99.99 ${p.p9999} · max ${p.max}` : '-';
  const group = (g: ReaderGroupReport) =>
    `<h3>${esc(g.group)}</h3>${table([
      ['members (never assigned)', `${g.members} (${g.members - g.membersAssigned})`],
      ['read / re-read / not read', `${en(g.consumed)} / ${en(g.reread)} / ${en(g.missed)}`],
      ['consume rate against publish rate', `${en(g.consumeRate.average)} / ${en(publishRate)} msgs/s`],
      ['backlog at most', en(g.backlogMost)],
      ['end to end from creation (ms)', e2e(g.endToEndMs)],
      ['end to end from the intended time (ms)', e2e(g.endToEndFromIntendedMs)],
      ...(g.catchUp ? [['catch-up after the backlog (s)', g.catchUp.sec ?? 'never'] as [string, unknown]] : []),
    ])}`;
  const head = `<h2>readers: ${r.groups.length} group(s), the run wrote ${en(r.written)}</h2>`;
  return [head, ...r.groups.map(group)].join('\n');
}

function sentimentHtml(sentiment: NonNullable<StormReport['sentiment']>): string {
  return `<h2>sentiment (${esc(sentiment.mode)})</h2>
${table([
  ['positive', `${en(sentiment.counts.positive)} (${sentiment.shares.positive}%)`],
  ['negative', `${en(sentiment.counts.negative)} (${sentiment.shares.negative}%)`],
  ['neutral', `${en(sentiment.counts.neutral)} (${sentiment.shares.neutral}%)`],
  ['requested', sentiment.requested.join(' / ')],
  ...(sentiment.batchPositiveShareStd !== null
    ? ([['per-batch positive share std', sentiment.batchPositiveShareStd]] as [string, unknown][])
    : []),
])}`;
}

function recordHtml(record: StormReport['record']): string {
  if (!record) return '';
  return `<h2>records</h2>${table([
    ['schema', record.name],
    ['key field', record.keyField ?? '-'],
  ])}`;
}
