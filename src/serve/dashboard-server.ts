/**
 * The live dashboard: one local page, its chart library (uPlot, served from node_modules: nothing outside the machine
 * is needed), Server-Sent Events carrying the engines' own 'tick' aggregates once a second, and /metrics for
 * Prometheus. Loopback by default; on another address every request needs the token printed with the URL
 * (request-gate.ts: who may ask, checked before any route). A page that does not read its events is let go once it
 * holds SLOW_CLIENT_BYTES unsent, and at most MAX_EVENT_CLIENTS pages are served at once: memory stays bounded
 * whoever connects.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DataStormError } from '../errors.js';
import { dashboardPage } from './dashboard-page.js';
import { DataStormMetrics } from './metrics.js';
import { gate } from './request-gate.js';

const require = createRequire(import.meta.url);
/** Events whose every frame a page draws (one a second): kept, the last hour of them, for a page opened later. */
const CHARTED = new Set(['storm', 'pulse']);
const HISTORY_FRAMES = 3600;
const MAX_EVENT_CLIENTS = 16;
/** Unsent bytes a page may hold (the history replayed at its start is a few MB). */
const SLOW_CLIENT_BYTES = 16 * 2 ** 20;
const UPLOT_DIR = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));

export interface Dashboard {
  url: string;
  metrics: DataStormMetrics;
  /**
   * Sends an event, stamped with the server's clock (`at`, ms), to every open page, and keeps it for pages that open
   * later: a charted event's last hour, any other's latest.
   */
  publish(event: string, data: unknown): void;
  /** Pages connected to /events now. */
  pages(): number;
  close(): Promise<void>;
}

export function startDashboard(o: { port: number; host: string; title: string }): Promise<Dashboard> {
  const loopback = o.host === '127.0.0.1' || o.host === 'localhost' || o.host === '::1';
  const token = loopback ? undefined : randomBytes(12).toString('hex');
  const metrics = new DataStormMetrics();
  const clients = new Set<http.ServerResponse>();
  const latest = new Map<string, string>();
  const history = new Map<string, string[]>();
  const assets: Record<string, [string, string]> = {
    '/uplot.js': [path.join(UPLOT_DIR, 'uPlot.iife.min.js'), 'text/javascript'],
    '/uplot.css': [path.join(UPLOT_DIR, 'uPlot.min.css'), 'text/css'],
  };
  const page = dashboardPage(o.title);
  let boundPort = o.port;
  const server = http.createServer((req, res) => {
    const verdict = gate(req, { token, loopback, port: () => boundPort });
    if (!verdict.pass) {
      res.writeHead(verdict.status, verdict.headers).end(verdict.body);
      return;
    }
    const url = verdict.url;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end('GET only\n');
    } else if (url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
    } else if (Object.hasOwn(assets, url.pathname)) {
      const [file, type] = assets[url.pathname];
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'max-age=3600' });
      fs.createReadStream(file).pipe(res);
    } else if (url.pathname === '/events') {
      openEvents(req, res, clients, [...history.values()].flat().concat([...latest.values()]));
    } else if (url.pathname === '/metrics') {
      void metrics
        .text()
        .then((text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text));
    } else if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
    } else res.writeHead(404).end('not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new DataStormError(
          'INVALID_OPTION',
          e.code === 'EADDRINUSE'
            ? `--dashboard ${o.port}: the port is in use (choose another)`
            : `--dashboard ${o.port} on ${o.host}: ${e.message}`,
        ),
      ),
    );
    server.listen(o.port, o.host, () => {
      const host = o.host.includes(':') ? `[${o.host}]` : o.host;
      const port = (server.address() as { port: number }).port; // o.port, or the one the system chose for 0
      boundPort = port;
      resolve({
        url: `http://${host}:${port}/${token ? `?token=${token}` : ''}`,
        metrics,
        publish(event, data) {
          const frame = `event: ${event}\ndata: ${JSON.stringify({ at: Date.now(), ...(data as object) })}\n\n`;
          if (CHARTED.has(event)) keep(history, event, frame);
          else latest.set(event, frame);
          for (const c of clients) {
            if (c.writableLength > SLOW_CLIENT_BYTES) {
              clients.delete(c);
              c.destroy();
            } else c.write(frame);
          }
        },
        pages: () => clients.size,
        close: () =>
          new Promise<void>((done) => {
            for (const c of clients) c.end();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** A page's event stream: what was charted so far and the latest of each other event, then everything as it comes. */
function openEvents(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  clients: Set<http.ServerResponse>,
  replay: string[],
): void {
  if (clients.size >= MAX_EVENT_CLIENTS) {
    res.writeHead(503, { 'Retry-After': '10' }).end(`at most ${MAX_EVENT_CLIENTS} pages at once\n`);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.flushHeaders(); // the page knows it is connected before the first event
  for (const frame of replay) res.write(frame);
  clients.add(res);
  req.on('close', () => clients.delete(res));
}

function keep(history: Map<string, string[]>, event: string, frame: string): void {
  let frames = history.get(event);
  if (!frames) {
    frames = [];
    history.set(event, frames);
  }
  frames.push(frame);
  if (frames.length > HISTORY_FRAMES) frames.splice(0, frames.length - HISTORY_FRAMES);
}
