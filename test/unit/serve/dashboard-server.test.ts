/** The dashboard server without an engine: its page, assets, events, /metrics and the token off loopback. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { noLatencyBuckets } from '../../../src/measure/latency-buckets.js';
import type { StormProgress } from '../../../src/report/progress.js';
import { startDashboard } from '../../../src/serve/dashboard-server.js';

const tick = (acked: number): StormProgress => {
  const latencyBuckets = noLatencyBuckets();
  latencyBuckets.counts[3] = acked; // all within 10 ms
  latencyBuckets.count = acked;
  latencyBuckets.sumMs = 7 * acked;
  return {
    elapsedSec: 1,
    acked,
    target: 1000,
    currentRate: acked,
    averageRate: acked,
    errors: 2,
    inFlight: 5,
    behind: 0,
    targetRate: 500,
    warmingUp: false,
    sent: acked + 7,
    failedByKind: { _MSG_TIMED_OUT: 2 },
    mix: [5, 3, 2],
    latencyMs: { p50: 4, p99: 9 },
    latencyBuckets,
    children: [{ slot: 0, rssMiB: 100, loopDelayP99Ms: 1.5 }],
  };
};

test('page, chart library from node_modules, events replayed to a late page, /metrics from the ticks', async () => {
  const d = await startDashboard({ port: 0, host: '127.0.0.1', title: 'T' });
  try {
    const page = await (await fetch(d.url)).text();
    assert.match(page, /<script src="\/uplot\.js"><\/script>/);
    assert.doesNotMatch(page, /https?:\/\/(?!127)/, 'nothing from outside the machine');
    const lib = await fetch(`${d.url}uplot.js`);
    assert.equal(lib.status, 200);
    assert.match(await lib.text(), /uPlot/);
    d.metrics.storm(tick(300));
    d.publish('storm', tick(300));
    d.metrics.storm(tick(700));
    const events = await fetch(`${d.url}events`, { signal: AbortSignal.timeout(500) }).then(async (r) => {
      const reader = r.body?.getReader();
      const first = await reader?.read();
      await reader?.cancel();
      return new TextDecoder().decode(first?.value);
    });
    assert.match(events, /^event: storm\ndata: \{"at":\d{13},"elapsedSec":1,"acked":300,/);
    const m = await (await fetch(`${d.url}metrics`)).text();
    assert.match(m, /^datastorm_acknowledged_total 700$/m, 'counters follow the running totals');
    assert.match(m, /^datastorm_failed_total\{kind="_MSG_TIMED_OUT"\} 2$/m);
    assert.match(m, /^datastorm_delivery_latency_seconds_bucket\{le="0.005"\} 0$/m);
    assert.match(m, /^datastorm_delivery_latency_seconds_bucket\{le="0.01"\} 700$/m);
    assert.match(m, /^datastorm_delivery_latency_seconds_bucket\{le="\+Inf"\} 700$/m);
    assert.match(m, /^datastorm_delivery_latency_seconds_sum 4\.9$/m);
    assert.match(m, /^datastorm_child_rss_bytes\{child="0"\} 104857600$/m);
  } finally {
    await d.close();
  }
});

test('a page opened late gets every charted tick of the last hour in order, the latest of others', async () => {
  const d = await startDashboard({ port: 0, host: '127.0.0.1', title: 'T' });
  try {
    for (let i = 1; i <= 3605; i++) d.publish('storm', tick(i));
    d.publish('brandpulse', { n: 1 });
    d.publish('brandpulse', { n: 2 });
    const ac = new AbortController();
    const r = await fetch(`${d.url}events`, { signal: ac.signal });
    const reader = r.body?.getReader();
    let text = '';
    while (!text.includes('event: brandpulse')) text += new TextDecoder().decode((await reader?.read())?.value);
    ac.abort();
    const acked = [...text.matchAll(/event: storm\ndata: \{"at":\d+,"elapsedSec":1,"acked":(\d+),/g)].map((m) =>
      Number(m[1]),
    );
    assert.equal(acked.length, 3600, 'the last hour of ticks');
    assert.deepEqual([acked[0], acked.at(-1)], [6, 3605], 'oldest dropped first, in order');
    assert.deepEqual(
      [...text.matchAll(/event: brandpulse\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]).n),
      [2],
    );
  } finally {
    await d.close();
  }
});

test('off loopback: the token once in the URL becomes a cookie, nothing carries it after; Bearer scrapes', async () => {
  const d = await startDashboard({ port: 0, host: '0.0.0.0', title: 'T' });
  try {
    const token = new URL(d.url).searchParams.get('token');
    assert.match(token ?? '', /^[0-9a-f]{24}$/);
    const port = new URL(d.url).port;
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/metrics`)).status, 401);
    assert.equal((await fetch(`${base}/metrics?token=${token}`)).status, 401, 'not in a URL but the first visit');
    assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}x` } })).status, 401);
    assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const first = await fetch(d.url, { redirect: 'manual' });
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), '/');
    const cookie = first.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^datastorm_token=[0-9a-f]{24}; HttpOnly; SameSite=Strict; Path=\/$/);
    const page = await fetch(`${base}/`, { headers: { cookie: cookie.split(';')[0] } });
    assert.equal(page.status, 200);
    assert.doesNotMatch(await page.text(), new RegExp(token ?? 'none'), 'the page carries no token');
  } finally {
    await d.close();
  }
});

test('on loopback a foreign Host is refused (DNS rebinding); the title is text', async () => {
  const d = await startDashboard({ port: 0, host: '127.0.0.1', title: '<img src=x onerror=alert(1)>' });
  try {
    const port = new URL(d.url).port;
    const ask = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/metrics', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
      });
    assert.equal(await ask(`127.0.0.1:${port}`), 200);
    assert.equal(await ask(`localhost:${port}`), 200);
    assert.equal(await ask(`evil.example:${port}`), 421);
    assert.equal(await ask('127.0.0.1'), 421, 'another port is another origin');
    const page = await (await fetch(d.url)).text();
    assert.doesNotMatch(page, /<img/);
    assert.match(page, /<title>&lt;img src=x onerror=alert\(1\)&gt;<\/title>/);
  } finally {
    await d.close();
  }
});
