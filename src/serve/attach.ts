/** Serves a running engine on the dashboard: its ticks to the page and /metrics, BrandPulse beside them. */
import type { EventEmitter } from 'node:events';
import type { KafkaTarget } from '../kafka/admin.js';
import { GroupLag } from '../kafka/group-lag.js';
import { localInfluxToken } from '../local/services.js';
import type { StormProgress } from '../report/progress.js';
import type { PulseProgress } from '../report/pulse-report.js';
import { type BrandPulseView, sentimentLastMinute } from './brandpulse-source.js';
import { type Dashboard, startDashboard } from './dashboard-server.js';
import type { DashboardOptions } from './options.js';

const BRANDPULSE_EVERY_MS = 2000;

export interface ServedRun {
  url: string;
  /** The run ended: show its report, keep serving --dashboard-linger seconds, then stop. */
  finish(report: unknown): Promise<void>;
}

export async function serveRun(
  run: EventEmitter,
  o: DashboardOptions,
  what: { title: string; kind: 'storm' | 'pulse'; cluster: KafkaTarget; topic: string },
): Promise<ServedRun> {
  const d: Dashboard = await startDashboard({ port: o.port, host: o.host, title: what.title });
  if (what.kind === 'storm')
    run.on('tick', (t: StormProgress) => {
      d.metrics.storm(t);
      d.publish('storm', t);
    });
  else
    run.on('tick', (t: PulseProgress) => {
      d.metrics.pulse(t);
      d.publish('pulse', t);
    });
  const token = o.influx.token ?? localInfluxToken(o.influx.url);
  const lag = new GroupLag(what.cluster, o.pulseGroup, what.topic);
  let partitions = 0;
  run.on('start', (s: { topic?: { partitions: number }; partitions?: number }) => {
    partitions = s.topic?.partitions ?? s.partitions ?? 0;
  });
  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    const view: BrandPulseView = { perSecond: [], byBrand: {}, lagByPartition: {}, notes: [] };
    try {
      if (!token) view.notes.push(`no InfluxDB token for ${o.influx.url}`);
      else Object.assign(view, await sentimentLastMinute({ ...o.influx, token }));
    } catch (e) {
      view.notes.push(`InfluxDB: ${(e as Error).message}`);
    }
    try {
      if (partitions > 0) view.lagByPartition = await lag.read(partitions);
    } catch (e) {
      view.notes.push(`lag of group ${o.pulseGroup}: ${(e as Error).message}`);
    }
    d.publish('brandpulse', view);
    busy = false;
  };
  const poller = setInterval(() => void poll(), BRANDPULSE_EVERY_MS);
  return {
    url: d.url,
    async finish(report) {
      d.publish('end', report);
      await poll();
      if (o.lingerSec > 0) await new Promise((r) => setTimeout(r, o.lingerSec * 1000));
      clearInterval(poller);
      lag.close();
      await d.close();
    },
  };
}
