/** What the HTML reports share: text escaping, tables, uPlot inlined, one style. */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Percentiles } from '../measure/histograms.js';

const require = createRequire(import.meta.url);
export const esc = (s: unknown) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
export const en = (n: number) => Math.round(n).toLocaleString('en-US');
export const table = (rows: [string, unknown][]) =>
  `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
/** A latency histogram's percentiles (ms) as a table; `none` says why there are none. */
export const latencyTable = (p: Percentiles | null, none: string) =>
  p
    ? table([
        ['p50', p.p50],
        ['p95', p.p95],
        ['p99', p.p99],
        ['p99.9', p.p999],
        ['max', p.max],
        ['messages', en(p.samples)],
      ])
    : `<p>${esc(none)}</p>`;
/** Data for a page's script: `</script>` inside it would end the script element early. */
export const scriptData = (data: unknown) => JSON.stringify(data).replace(/</g, '\\u003c');
/** uPlot's script and style, inlined so a report opens without a network. */
export const uplotAssets = () => ({
  js: fs.readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
  css: fs.readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
});
export const PAGE_STYLE = `body{font:14px system-ui,sans-serif;margin:16px;color:#222} h1{font-size:20px}
h2{font-size:15px;margin-top:20px} table{border-collapse:collapse} th{text-align:left;padding:2px 12px 2px 0;
font-weight:500} td{padding:2px 8px} .big{font-size:22px;font-weight:600}`;
