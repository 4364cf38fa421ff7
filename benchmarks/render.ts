/** Turns a benchmark result into console lines, benchmarks/RESULTS.md and an SVG chart of throughput over time. */
import fs from 'node:fs';
import path from 'node:path';
import { versionList } from '../src/environment.js';
import { ROOT } from '../src/local/services.js';
import type { BenchResult, BenchRow } from './bench-types.js';

const LABEL: Record<string, string> = {
  datastorm: 'DataStorm storm (default: every message acknowledged and timed)',
  'datastorm-1-worker': 'DataStorm storm, --workers 1',
  'c-reference': 'C reference producer (librdkafka, the same tweets, a report per message)',
  'producer-perf-tweets': "Kafka's ProducerPerformance, --payload-file of the same tweets",
  'producer-perf': "Kafka's ProducerPerformance, random bytes",
  rdkafka_performance: "librdkafka's rdkafka_performance (one repeated byte)",
  kafkajs: 'KafkaJS',
  platformatic: '@platformatic/kafka',
};
const REFS = ['c-reference', 'producer-perf-tweets'] as const;

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const range = (xs: number[], digits = 2) =>
  xs.length
    ? `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`
    : 'n/a';

export interface Cell {
  brokers: number;
  acks: string;
  tool: string;
  /** Absent: plaintext. */
  listener?: 'sasl_ssl';
  /** Over SASL_SSL: per-run ratios to the same tool over plaintext in the same run (msgs/s, client CPU per message). */
  toPlaintext: { rate: number[]; cpu: number[] };
  values: number[];
  /** Per-run ratios to each reference (same broker count, acks and run). */
  ratios: Record<(typeof REFS)[number], number[]>;
  /** Per-run ratios of client CPU per message to each reference's (same run): the machine's speed cancels. */
  cpuRatios: Record<(typeof REFS)[number], number[]>;
  clientCpuUs: number[];
  brokerCpuUs: number[];
  storedBytes: number[];
  errors: string[];
}

export function summarize(r: BenchResult): Cell[] {
  const cells = new Map<string, Cell>();
  for (const row of r.rows) {
    const k = `${row.brokers}|${row.acks}|${row.tool}|${row.listener ?? ''}`;
    let c = cells.get(k);
    if (!c) {
      c = {
        brokers: row.brokers,
        acks: row.acks,
        tool: row.tool,
        ...(row.listener ? { listener: row.listener } : {}),
        toPlaintext: { rate: [], cpu: [] },
        values: [],
        ratios: { 'c-reference': [], 'producer-perf-tweets': [] },
        cpuRatios: { 'c-reference': [], 'producer-perf-tweets': [] },
        clientCpuUs: [],
        brokerCpuUs: [],
        storedBytes: [],
        errors: [],
      };
      cells.set(k, c);
    }
    if (row.msgsPerSec === null) {
      c.errors.push(row.error ?? 'failed');
      continue;
    }
    c.values.push(row.msgsPerSec);
    if (row.clientCpuUs != null) c.clientCpuUs.push(row.clientCpuUs);
    if (row.brokerCpuUs != null) c.brokerCpuUs.push(row.brokerCpuUs);
    if (row.storedBytes != null) c.storedBytes.push(row.storedBytes);
    // The references of the same run and listener: a TLS row is compared with the references over TLS.
    const sameRun = (x: BenchRow) =>
      x.brokers === row.brokers && x.acks === row.acks && x.run === row.run && x.listener === row.listener;
    for (const ref of REFS) {
      const base = r.rows.find((x) => sameRun(x) && x.tool === ref);
      if (base?.msgsPerSec) c.ratios[ref].push(row.msgsPerSec / base.msgsPerSec);
      if (base?.clientCpuUs && row.clientCpuUs != null) c.cpuRatios[ref].push(row.clientCpuUs / base.clientCpuUs);
    }
    if (row.listener) {
      const plain = r.rows.find(
        (x) =>
          x.brokers === row.brokers && x.acks === row.acks && x.run === row.run && x.tool === row.tool && !x.listener,
      );
      if (plain?.msgsPerSec) c.toPlaintext.rate.push(row.msgsPerSec / plain.msgsPerSec);
      if (plain?.clientCpuUs && row.clientCpuUs != null) c.toPlaintext.cpu.push(row.clientCpuUs / plain.clientCpuUs);
    }
  }
  return [...cells.values()];
}

function chart(rows: BenchRow[], title: string): string {
  const W = 860,
    H = 340,
    L = 70,
    B = 45,
    T = 30,
    R = 290;
  const series = rows.filter((x) => x.timeline.length > 1);
  const maxX = Math.max(1, ...series.flatMap((s) => s.timeline.map((p) => p[0])));
  const maxY = Math.max(1, ...series.flatMap((s) => s.timeline.map((p) => p[1])));
  const colors = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
  const x = (v: number) => L + ((W - L - R) * v) / maxX;
  const y = (v: number) => H - B - ((H - B - T) * v) / maxY;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="18" font-size="14">${title}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" ` +
      `y2="${H - B}" stroke="black"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle">seconds since the tool started producing</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const v = (maxX * i) / 5;
    parts.push(`<text x="${x(v)}" y="${H - B + 16}" text-anchor="middle">${Math.round(v)}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const v = (maxY * i) / 4;
    parts.push(
      `<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v / 1000)}K</text><line x1="${L}" y1="${y(v)}" ` +
        `x2="${W - R}" y2="${y(v)}" stroke="#ddd"/>`,
    );
  }
  series.forEach((s, i) => {
    const pts = s.timeline.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${colors[i % colors.length]}" stroke-width="2" points="${pts}"/>`);
    parts.push(
      `<rect x="${W - R + 10}" y="${T + 18 * i}" width="12" height="12" fill="${colors[i % colors.length]}"/><text ` +
        `x="${W - R + 28}" y="${T + 18 * i + 11}">${s.tool}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function renderResults(r: BenchResult, writeMarkdown: boolean): { summary: string[]; cells: Cell[] } {
  const cells = summarize(r);
  const summary = cells.map(
    (c) =>
      `${c.brokers} broker(s) acks=${c.acks.padEnd(3)} ${`${c.tool}${c.listener ? ' sasl_ssl' : ''}`.padEnd(31)} ` +
      `${c.values.length ? `${fmt(median(c.values)).padStart(10)} msgs/s` : 'failed'.padStart(17)}` +
      (c.clientCpuUs.length ? `  client ${median(c.clientCpuUs).toFixed(2)} us/msg` : '') +
      (c.tool !== 'c-reference' && c.ratios['c-reference'].length
        ? `  x${median(c.ratios['c-reference']).toFixed(2)} vs C reference` +
          (c.cpuRatios['c-reference'].length
            ? ` (client CPU/msg x${median(c.cpuRatios['c-reference']).toFixed(2)})`
            : '')
        : '') +
      (c.tool !== 'producer-perf-tweets' && c.ratios['producer-perf-tweets'].length
        ? `  x${median(c.ratios['producer-perf-tweets']).toFixed(2)} vs ProducerPerformance (tweets)`
        : '') +
      (c.toPlaintext.rate.length
        ? `  x${median(c.toPlaintext.rate).toFixed(2)} of its plaintext msgs/s` +
          (c.toPlaintext.cpu.length ? ` at x${median(c.toPlaintext.cpu).toFixed(2)} CPU/msg` : '')
        : '') +
      (c.errors.length ? `   (${c.errors.length} failed: ${c.errors[0].slice(0, 80)})` : ''),
  );
  summary.push(
    `generator alone (no Kafka): ${fmt(median(r.generator.tweetsPerSecPerCore))} tweets/s per core, ` +
      `${r.generator.avgBytes} B per tweet`,
  );
  if (!writeMarkdown) return { summary, cells };

  const md: string[] = [];
  md.push(
    '# Benchmark results',
    '',
    `Generated by \`make bench\` (benchmarks/run.sh full) on ${r.date}. Raw data: ` +
      `[results/bench-${r.profile}.json](results/bench-${r.profile}.json).`,
    '',
  );
  md.push(
    '## Machine and versions',
    '',
    `- ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.cpu}, ${r.machine.os}`,
  );
  md.push(`- ${versionList(r.versions)}`);
  md.push(
    `- Settings for every tool: acks ${r.rows[0]?.acks ?? 'all'} (idempotent where the client supports it), lz4, ` +
      `batch ${String(r.settings.batchBytes)} B, linger ${String(r.settings.lingerMs)} ms, ` +
      `${String(r.settings.partitions)} partitions, replication ${String(r.settings.replication)}, ` +
      `${fmt(Number(r.settings.count))} messages per run (KafkaJS and @platformatic/kafka: ` +
      `${fmt(Number(r.settings.nodeClientCount))}), ${String(r.settings.runs)} runs per cell, fresh topic per ` +
      `run, tool order rotated per run.`,
  );
  md.push(
    `- Payload: ${String(r.settings.payload ?? `${String(r.settings.recordSize)} B records`)}; ProducerPerformance ` +
      `(random bytes) and rdkafka_performance use records of ${String(r.settings.recordSize)} B, DataStorm's average ` +
      `tweet.`,
  );
  md.push(
    '- The brokers run on the same 2 cores as the clients: every figure is what one machine does with both sides. ' +
      "CPU per message is the machine-independent figure: client = the tool's whole process tree (/usr/bin/time), " +
      'brokers = the broker JVMs over the same run (/proc), both ÷ acknowledged messages.',
    '',
  );
  md.push(
    '## Throughput and cost per message',
    '',
    '| brokers | acks | listener | tool | msgs/s median | min | max | x C reference (median of per-run ratios, ' +
      'min-max) | x ProducerPerformance with the tweets | client CPU µs/msg | client CPU x C reference | broker CPU ' +
      'µs/msg | stored B/msg | SASL_SSL: msgs/s, CPU/msg x its plaintext run |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const c of cells) {
    const tls = c.listener ? `${range(c.toPlaintext.rate)}, ${range(c.toPlaintext.cpu)}` : '';
    md.push(
      `| ${c.brokers} | ${c.acks} | ${c.listener ?? 'plaintext'} | ${LABEL[c.tool] ?? c.tool} | ` +
        `${c.values.length ? fmt(median(c.values)) : `failed: ${c.errors[0]}`} | ${fmt(Math.min(...c.values))} | ` +
        `${fmt(Math.max(...c.values))} | ${c.tool === 'c-reference' ? '1' : range(c.ratios['c-reference'])} | ` +
        `${c.tool === 'producer-perf-tweets' ? '1' : range(c.ratios['producer-perf-tweets'])} | ` +
        `${range(c.clientCpuUs)} | ${c.tool === 'c-reference' ? '1' : range(c.cpuRatios['c-reference'])} | ` +
        `${range(c.brokerCpuUs)} | ${range(c.storedBytes, 1)} | ${tls} |`,
    );
  }
  md.push(
    '',
    `Generator alone, Kafka out of the loop (mix planning, pool picks, Avro encoding into a reused buffer): ` +
      `${fmt(median(r.generator.tweetsPerSecPerCore))} tweets/s on one core (runs: ` +
      `${r.generator.tweetsPerSecPerCore.map(fmt).join(', ')}).`,
    '',
  );
  md.push(
    'Notes on fairness:',
    '',
    "- The C reference producer and DataStorm send the same kind of bytes (DataStorm's Avro tweets) through the same " +
      'librdkafka build with the same settings; the C program has nothing between it and librdkafka, so it is the ' +
      'ceiling of any client here.',
    '- ProducerPerformance --payload-file reads the tweets as UTF-8 text: invalid sequences in the binary Avro ' +
      'become U+FFFD, so its records are a few bytes longer (see stored B/msg). Its random-bytes row does not ' +
      'compress; rdkafka_performance sends one repeated byte, which LZ4 squeezes to almost nothing, so its figure ' +
      'is an upper bound, not like for like.',
    '- KafkaJS has no built-in LZ4 codec; it sends uncompressed.',
    '',
  );
  // Chart the run of the largest cluster (acks=all) whose DataStorm figure is its median: a typical run, not the best.
  const big = Math.max(...r.rows.map((y) => y.brokers));
  const ds = r.rows.filter(
    (x) => x.brokers === big && x.acks === 'all' && x.tool === 'datastorm' && !x.listener && x.msgsPerSec !== null,
  );
  const mid = median(ds.map((x) => x.msgsPerSec ?? 0));
  const run = ds.find((x) => x.msgsPerSec === mid)?.run ?? 1;
  const last = r.rows.filter((x) => x.brokers === big && x.acks === 'all' && x.run === run && !x.listener);
  const svg = chart(last, `Throughput over time, ${big} broker(s), acks=all, run ${run} (acknowledged msgs/s)`);
  fs.writeFileSync(path.join(ROOT, 'benchmarks/throughput.svg'), `${svg}\n`);
  md.push(
    '## Throughput over time',
    '',
    '![throughput over time](throughput.svg)',
    '',
    'DataStorm points are its acknowledged messages per wall-clock second (every child ticks on whole seconds); ' +
      'ProducerPerformance points are its own per-second report lines; the other tools print no intervals.',
    '',
  );
  md.push(
    '## DataStorm memory and GC (per run)',
    '',
    '| brokers | acks | run | tool | peak RSS per child (MiB) | GC pauses | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const x of r.rows.filter((y) => y.tool.startsWith('datastorm') && y.extra)) {
    const g = x.extra?.gcPausesMs as { count: number; p50: number; p99: number; max: number } | null;
    md.push(
      `| ${x.brokers} | ${x.acks} | ${x.run} | ${x.tool}${x.listener ? ' (SASL_SSL)' : ''} | ` +
        `${((x.extra?.maxRssMiB as number[] | undefined) ?? []).join(' / ')} | ${g?.count ?? 0} | ${g?.p50 ?? '-'} | ` +
        `${g?.p99 ?? '-'} | ${g?.max ?? '-'} |`,
    );
  }
  md.push(
    '',
    '## Commands',
    '',
    'Reproduce everything: `make bench` (about 15 minutes); `make bench-quick` is the regression gate (1 broker, ' +
      'DataStorm and the C reference alternated three times, benchmarks/baseline.json). Each tool was run as:',
    '',
  );
  const seen = new Set<string>();
  for (const x of r.rows)
    if (!seen.has(`${x.tool}${x.listener ?? ''}`) && x.command) {
      seen.add(`${x.tool}${x.listener ?? ''}`);
      md.push(`- ${x.tool}${x.listener ? ' over SASL_SSL' : ''}: \`${x.command}\``);
    }
  md.push('', '(the bench cluster lives in `.run/bench-cluster`, brokers from port 28092; topic names change per run)');
  fs.writeFileSync(path.join(ROOT, 'benchmarks/RESULTS.md'), `${md.join('\n')}\n`);
  return { summary, cells };
}

/**
 * benchmarks/TLS.md: each tool over SASL_SSL against itself over plaintext in the same round (medians of per-round
 * ratios, ranges), and the figures they come from.
 */
export function renderTlsPage(r: BenchResult, cells: Cell[]): void {
  const md = [
    '# What TLS and SASL cost',
    '',
    `Generated by \`make bench-tls\` (benchmarks/run.sh tls) on ${r.date}. Raw data: ` +
      `[results/bench-${r.profile}.json](results/bench-${r.profile}.json).`,
    '',
    `- ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.cpu}, ${r.machine.os}`,
    `- ${versionList(r.versions)}`,
    '- One broker with a PLAINTEXT and a SASL_SSL listener (SCRAM-SHA-512 over TLS, `cluster.sh up --security ' +
      'sasl_ssl`); every tool over each, one order rotated per round, fresh topic per run, ' +
      `${fmt(Number(r.settings.count))} messages a run, ${String(r.settings.runs)} rounds, acks=all, lz4. Over ` +
      'SASL_SSL each tool gets the same client settings its own way: DataStorm `--kafka-config client.properties`, ' +
      "ProducerPerformance `--command-config client.properties`, the C reference the same settings in librdkafka's " +
      "names (`-F`, translated by DataStorm's reader).",
    '',
    '| tool | msgs/s plaintext | msgs/s SASL_SSL | SASL_SSL ÷ plaintext msgs/s | client CPU µs/msg plaintext | ' +
      'SASL_SSL | SASL_SSL ÷ plaintext CPU/msg |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const tls of cells.filter((c) => c.listener)) {
    const plain = cells.find((c) => c.tool === tls.tool && c.brokers === tls.brokers && !c.listener);
    md.push(
      `| ${LABEL[tls.tool] ?? tls.tool} | ${plain ? fmt(median(plain.values)) : 'n/a'} | ` +
        `${fmt(median(tls.values))} | ` +
        `${range(tls.toPlaintext.rate)} | ${plain ? range(plain.clientCpuUs) : 'n/a'} | ${range(tls.clientCpuUs)} | ` +
        `${range(tls.toPlaintext.cpu)} |`,
    );
  }
  md.push('', 'Each tool was run as:', '');
  for (const x of r.rows.filter((row) => row.run === 1 && row.command))
    md.push(`- ${x.tool}${x.listener ? ' over SASL_SSL' : ''}: \`${x.command}\``);
  fs.writeFileSync(path.join(ROOT, 'benchmarks/TLS.md'), `${md.join('\n')}\n`);
}

// Re-render RESULTS.md and the chart from kept results: node dist/benchmarks/render.js
// benchmarks/results/bench-full.json
if (process.argv[1]?.endsWith('render.js') && process.argv[2]) {
  const r = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as BenchResult;
  for (const l of renderResults(r, true).summary) process.stdout.write(`${l}\n`);
}
