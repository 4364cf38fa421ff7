/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) and /metrics scraped by a real
 * Prometheus (Debian's), on one storm: the page shows the storm's report totals at the end and BrandPulse's sums as
 * InfluxDB has them; Prometheus' query API returns the acknowledged total of the report; the HTML report renders its
 * chart with no console errors. Screenshots go to benchmarks/results/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import type { StormReport } from '../../../src/report/storm-report.js';
import { until } from '../../helpers/progress.js';
import { pulseArgs } from '../../helpers/pulse-cli.js';
import {
  bootstrap,
  emptyBucket,
  freePort,
  influxUrl,
  ROOT,
  redisUrl,
  run,
  sentimentTotals,
  uniqueTopic,
} from '../../helpers/services.js';
import { CLI, spawnStorm, stormJson } from '../../helpers/storm-cli.js';

const RESULTS = path.join(ROOT, 'benchmarks/results');
const num = (s: string | null) => Number((s ?? '').replace(/,/g, ''));

/** Debian's prometheus scraping the dashboard every second, with its own data in a temporary folder. */
function startPrometheus(target: string, port: number): ChildProcess {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    config,
    'global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: datastorm\n' +
      `    static_configs: [{ targets: ['${target}'] }]\n`,
  );
  return spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${dir}/data`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: 'ignore' },
  );
}

test('dashboard in chromium and /metrics in Prometheus agree with the storm report and with InfluxDB', async () => {
  const COUNT = 200_000;
  const topic = uniqueTopic('dash');
  const group = `pulse-${topic}`;
  const port = await freePort();
  const promPort = await freePort();
  const html = path.join(RESULTS, 'storm-report.html');
  fs.mkdirSync(RESULTS, { recursive: true });
  // brandpulse is the dashboard's bucket: empty it so the last minute's sums are this test's.
  await emptyBucket('brandpulse');

  const prometheus = startPrometheus(`127.0.0.1:${port}`, promPort);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const storm = spawnStorm([
      '--topic',
      topic,
      '--count',
      String(COUNT),
      '--rate',
      '40000',
      '--sentiment',
      '50,30,20',
      '--dashboard',
      String(port),
      '--dashboard-linger',
      '25',
      '--pulse-group',
      group,
      '--influx-url',
      influxUrl(),
      '--html',
      html,
    ]);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await until('dashboard up', async () => ((await fetch(`http://127.0.0.1:${port}/metrics`)).ok ? true : undefined));
    await page.goto(`http://127.0.0.1:${port}/`);
    // Data flows: the acknowledged total grows while the storm runs.
    await until('acknowledged shown', async () => (num(await page.textContent('#acked')) > 0 ? true : undefined));

    // BrandPulse behind it, into the dashboard's bucket.
    const pulse = run(process.execPath, pulseArgs(topic, 'brandpulse', ['--until-idle', '2'], group), {}, 120_000);
    // The report is on stdout before the linger ends.
    const report = await until(
      'storm report',
      async () => {
        const out = storm.stdout();
        return out.trim().endsWith('}') ? (JSON.parse(out) as StormReport) : undefined;
      },
      120_000,
    );
    assert.equal(report.acknowledged, COUNT);
    await until('page finished', async () => ((await page.textContent('#state')) === 'finished' ? true : undefined));
    assert.equal(num(await page.textContent('#acked')), report.acknowledged, 'the page shows the report total');
    assert.equal((await pulse).code, 0);
    const influx = await sentimentTotals('brandpulse');
    assert.deepEqual(influx, { positive: 100_000, negative: 60_000, neutral: 40_000 });
    await until(
      'BrandPulse sums shown',
      async () =>
        num(await page.textContent('#bp-positive')) === influx.positive &&
        num(await page.textContent('#bp-negative')) === influx.negative &&
        num(await page.textContent('#bp-neutral')) === influx.neutral
          ? true
          : undefined,
      20_000,
    );
    await page.screenshot({ path: path.join(RESULTS, 'dashboard.png'), fullPage: true });

    // A page opened after the end draws the whole run, placed by the server's clock, as the page open throughout.
    const late = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    late.on('pageerror', (e) => errors.push(e.message));
    await late.goto(`http://127.0.0.1:${port}/`);
    await until('late page finished', async () =>
      (await late.textContent('#state')) === 'finished' ? true : undefined,
    );
    const xs = (p: typeof page) => p.evaluate('rate.data[0]') as Promise<number[]>;
    const [early, lateXs] = [await xs(page), await xs(late)];
    assert.deepEqual(lateXs, early, 'the same ticks at the same times');
    assert.ok(lateXs.length >= 4 && lateXs.at(-1)! - lateXs[0] >= 3, `the run's seconds: ${lateXs.join(' ')}`);
    assert.equal(num(await late.textContent('#acked')), report.acknowledged);

    // /metrics, and Prometheus' own query API after scraping it.
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, new RegExp(`^datastorm_acknowledged_total ${COUNT}$`, 'm'));
    assert.match(metrics, new RegExp(`^datastorm_delivery_latency_seconds_count ${COUNT}$`, 'm'));
    const scraped = await until(
      'Prometheus has the total',
      async () => {
        const q = `http://127.0.0.1:${promPort}/api/v1/query?query=datastorm_acknowledged_total`;
        const j = (await (await fetch(q)).json()) as { data: { result: { value: [number, string] }[] } };
        const v = Number(j.data.result[0]?.value[1]);
        return v === COUNT ? v : undefined;
      },
      20_000,
    );
    assert.equal(scraped, report.acknowledged);
    assert.deepEqual(errors, [], 'no console errors on the dashboard');
    await storm.exited;

    // The HTML report: one file, no network, its chart drawn.
    const file = await browser.newPage();
    const fileErrors: string[] = [];
    file.on('console', (m) => m.type() === 'error' && fileErrors.push(m.text()));
    file.on('pageerror', (e) => fileErrors.push(e.message));
    await file.route('**/*', (r) => (r.request().url().startsWith('file:') ? r.continue() : r.abort()));
    await file.goto(`file://${html}`);
    await file.waitForSelector('#timeline canvas');
    assert.match((await file.textContent('#acknowledged')) ?? '', /200,000 acknowledged/);
    assert.deepEqual(fileErrors, []);
    await file.screenshot({ path: path.join(RESULTS, 'storm-report.png'), fullPage: true });
  } finally {
    await browser.close();
    prometheus.kill();
  }
});

/** `datastorm dashboard --run-id` serving on `port`, as a user starts it beside a run. */
function watchRun(runId: string, port: number) {
  const args = [CLI, 'dashboard', '--run-id', runId, '--dashboard', String(port), '--redis', redisUrl()];
  const watcher = spawn(process.execPath, [...args, '--bootstrap', bootstrap()], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { watcher, exited: new Promise<number | null>((r) => watcher.on('close', r)) };
}

test('datastorm dashboard --run-id watches a run from outside: its /metrics reach the run total', async () => {
  const topic = uniqueTopic('dash-outside');
  const runId = `${topic}-run`;
  const port = await freePort();
  const { watcher, exited } = watchRun(runId, port);
  try {
    const { report } = await stormJson(['--topic', topic, '--count', '100000', '--rate', '50000', '--run-id', runId]);
    const seen = await until('the watcher has the total', async () => {
      const m = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const v = Number(/^datastorm_acknowledged_total (\d+)$/m.exec(m)?.[1]);
      return v === report.acknowledged ? v : undefined;
    });
    assert.equal(seen, 100_000);
  } finally {
    watcher.kill('SIGINT');
  }
  assert.equal(await exited, 0);
});

test('dashboard --run-id on a run of instances: merged latency and the target, in /metrics and the page', async () => {
  const topic = uniqueTopic('dash-instances');
  const runId = `${topic}-run`;
  const port = await freePort();
  const { watcher, exited } = watchRun(runId, port);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const instance = (i: number) =>
      spawnStorm([
        ...['--run-id', runId, '--instances', '2', '--instance', String(i), '--topic', topic],
        ...['--count', '200000', '--rate', '40000', '--workers', '1'],
      ]);
    const storms = [instance(0), instance(1)];
    const metric = async (name: string) => {
      const m = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(m)?.[1]);
    };
    const target = await until('the target rate while the run goes on', async () =>
      (await metric('datastorm_target_rate')) > 0 ? metric('datastorm_target_rate') : undefined,
    );
    assert.equal(target, 40_000, "the run's rate, not an instance's share");
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.getElementById('latency-from')?.textContent?.includes('merged'));
    for (const s of storms) assert.equal((await s.exited).code, 0);
    const latencyCount = await until('every acknowledgement in the merged latency histogram', async () =>
      (await metric('datastorm_delivery_latency_seconds_count')) === 200_000 ? 200_000 : undefined,
    );
    assert.equal(latencyCount, 200_000);
    assert.ok((await metric('datastorm_delivery_latency_seconds_sum')) > 0);
  } finally {
    await browser.close();
    watcher.kill('SIGINT');
  }
  assert.equal(await exited, 0);
});
