/**
 * The dashboard's HTTP server against hostile and careless clients (issue: hostile input on every surface): generated
 * raw requests (request lines, paths, query strings, headers, methods, cut short), and pages that never read their
 * events. The server never goes down, every answer is one of the statuses it means to give, and memory stays bounded.
 * A fixed seed here; `make fuzz` runs more.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { startDashboard } from '../../../src/serve/dashboard-server.js';
import { fuzzSettings, reportFuzz } from '../../helpers/fuzz.js';

/** Sends raw bytes, returns the status line's code (0: the server closed without an answer), within 3 s. */
function raw(port: number, bytes: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const done = () => {
      socket.destroy();
      resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0));
    };
    socket.setTimeout(3000, done);
    socket.on('data', (d) => {
      answer += d;
      if (/\r\n\r\n/.test(answer)) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.end(bytes);
  });
}

const token = fc.oneof(
  fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH', 'get', 'G\u00c9T'),
  fc.string({ minLength: 0, maxLength: 12 }),
);
const path = fc.oneof(
  fc.constantFrom('/', '/events', '/metrics', '/uplot.js', '/uplot.css', '/favicon.ico', '//[', '/%zz', '*', ''),
  fc.string({ maxLength: 200 }).map((s) => `/${s}`),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.string({ unit: 'binary', maxLength: 80 }),
);
const header = fc.tuple(
  fc.oneof(fc.constantFrom('Host', 'Cookie', 'Authorization', 'Content-Length', 'Transfer-Encoding'), fc.string()),
  fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('127.0.0.1', 'evil.example', '-1', 'chunked', 'Bearer x')),
);
const request = fc.record({
  method: token,
  path,
  version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/9.9', ''),
  host: fc.option(fc.constantFrom('127.0.0.1:PORT', 'localhost:PORT', 'evil.example', ''), { nil: undefined }),
  headers: fc.array(header, { maxLength: 6 }),
  body: fc.string({ maxLength: 300 }),
  cut: fc.option(fc.nat(400), { nil: undefined }),
});

/** The statuses this server gives on purpose; 0 when it closed on a request its parser refused. */
const MEANT = new Set([0, 200, 204, 303, 400, 401, 404, 405, 413, 421, 431, 503, 505]);

test('generated raw requests never take the dashboard down; every answer is one it means', async () => {
  const d = await startDashboard({ port: 0, host: '127.0.0.1', title: 'fuzz' });
  const port = Number(new URL(d.url).port);
  const { seed, runs } = fuzzSettings(200);
  const statuses = new Map<number, number>();
  try {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const lines = [`${r.method} ${r.path} ${r.version}`];
        if (r.host !== undefined) lines.push(`Host: ${r.host.replace('PORT', String(port))}`);
        for (const [name, value] of r.headers) lines.push(`${name}: ${value}`);
        let bytes = `${lines.join('\r\n')}\r\n\r\n${r.body}`;
        if (r.cut !== undefined) bytes = bytes.slice(0, r.cut);
        const status = await raw(port, bytes);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        assert.ok(MEANT.has(status), `status ${status} for ${JSON.stringify(bytes.slice(0, 200))}`);
        const alive = await fetch(`${d.url}metrics`);
        assert.equal(alive.status, 200, 'still serving');
        await alive.text();
      }),
      { seed, numRuns: runs },
    );
  } finally {
    await d.close();
  }
  reportFuzz('dashboard HTTP requests', runs, `statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
});

test('pages that never read their events are let go; at most 16 at once; memory stays bounded', async () => {
  const d = await startDashboard({ port: 0, host: '127.0.0.1', title: 'slow' });
  const port = Number(new URL(d.url).port);
  const sockets: net.Socket[] = [];
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      sockets.push(socket);
      socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      const first = await new Promise<string>((resolve) => socket.once('data', (b) => resolve(String(b))));
      statuses.push(Number(/^HTTP\/1\.1 (\d{3})/.exec(first)?.[1]));
      socket.pause(); // never reads again
    }
    assert.equal(statuses.filter((s) => s === 200).length, 16);
    assert.equal(statuses.filter((s) => s === 503).length, 8);
    assert.equal(d.pages(), 16);
    const rssBefore = process.memoryUsage().rss;
    const frame = { blob: 'x'.repeat(100_000) };
    for (let i = 0; i < 600; i++) {
      d.publish('brandpulse', frame);
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 200));
    const grownMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    assert.equal(d.pages(), 0, 'the 16 silent pages were let go');
    assert.ok(grownMiB < 400, `memory grew ${grownMiB.toFixed(0)} MiB for 60 MB published to 16 silent pages`);
    const alive = await fetch(`${d.url}metrics`);
    assert.equal(alive.status, 200);
  } finally {
    for (const s of sockets) s.destroy();
    await d.close();
  }
});
