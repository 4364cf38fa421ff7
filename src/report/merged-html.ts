/**
 * The merged report of a run of several instances (report/merged-report.ts) as HTML: one self-contained page for
 * `report --run-id RUN --html FILE`, and a section of the storm report of the instance that finished last. Every value
 * from the records (hosts, errors, the topic) is rendered as text.
 */
import { en, esc, latencyTable, PAGE_STYLE, scriptData, table, uplotAssets } from './html-parts.js';
import type { MergedReport } from './merged-report.js';

/** The merged report's tables and its timeline's chart (a script that needs uPlot loaded first). */
export function mergedSection(m: MergedReport): { html: string; script: string } {
  const l = m.latencyMs;
  const how =
    m.latencyFrom === 'histograms'
      ? 'merged HDR histograms of every instance'
      : "merged Prometheus buckets' upper bounds (not every instance left its histogram)";
  const instances = m.perInstance.map((i): [string, unknown] => [
    `instance ${i.index} (${i.host})`,
    `${i.state}: ${en(i.acknowledged)} acknowledged, ${en(i.failed)} failed, ` +
      `first slice ${i.startOffsetMs ?? '-'} ms after the start, ` +
      `p50 ${i.p50 ?? '-'} ms, p99 ${i.p99 ?? '-'} ms${i.error ? `; ${i.error}` : ''}`,
  ]);
  const missing = m.joined < m.instances ? `, ${m.instances - m.joined} never joined` : '';
  const html = `<p class="big" id="merged-acknowledged">${en(m.acknowledged)} acknowledged by all instances in
 ${m.elapsedSec.toFixed(1)} s: ${en(m.rate.average)} msgs/s average, ${en(m.rate.peak)} peak</p>
<p>${m.finished} of ${m.instances} instance(s) finished${missing};
 topic <b>${esc(m.topic)}</b>; ${m.processes} process(es); start skew ${m.startSkewMs ?? '-'} ms</p>
<h2>throughput of all instances, acknowledged msgs/s per second since the start</h2><div id="merged-timeline"></div>
<h2>delivery latency (ms), ${esc(how)}</h2>
${latencyTable(l, 'none yet')}
<h2>instances</h2>${table([['failed in all', en(m.failed)], ...instances])}`;
  const data = scriptData({ timeline: m.timeline });
  const script = `{
const d = ${data};
const series = [{ label: 's' }, { label: 'acknowledged/s', stroke: '#1565c0' }];
const cols = [d.timeline.map((p) => p[0]), d.timeline.map((p) => p[1])];
if (d.timeline.some((p) => p[2] !== null)) {
  series.push({ label: 'target/s', stroke: '#999', dash: [4, 4] }); cols.push(d.timeline.map((p) => p[2]));
}
new uPlot({ width: 800, height: 260, scales: { x: { time: false } }, series, axes: [{}, { size: 70 }] },
  cols, document.getElementById('merged-timeline'));
}`;
  return { html, script };
}

export function renderMergedHtml(m: MergedReport): string {
  const uplot = uplotAssets();
  const section = mergedSection(m);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DataStorm run ${esc(m.runId)}, merged</title>
<style>${uplot.css}
${PAGE_STYLE}</style></head><body>
<h1>DataStorm run ${esc(m.runId)}, all instances merged</h1>
${section.html}
<script>${uplot.js}</script>
<script>${section.script}</script></body></html>
`;
}
