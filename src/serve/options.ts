/** The dashboard's flags, shared by storm and pulse: where to serve, and where BrandPulse's data is. */
import type { Options as FlagSpec } from 'yargs';
import type { OptionChecks, RawFlags } from '../option-checks.js';

export interface DashboardOptions {
  port: number;
  host: string;
  /** Seconds to keep serving after the run ended (for a last look, and a last Prometheus scrape). */
  lingerSec: number;
  /** BrandPulse panel: InfluxDB and the pulse consumer group. */
  influx: { url: string; org: string; bucket: string; token?: string; caFile?: string };
  pulseGroup: string;
}

export const DEFAULT_DASHBOARD_PORT = 8090;

export const dashboardFlags = {
  dashboard: {
    type: 'string',
    describe: `serve a live dashboard and /metrics on this port (no value: ${DEFAULT_DASHBOARD_PORT})`,
  },
  'dashboard-host': {
    type: 'string',
    default: '127.0.0.1',
    describe: 'address to serve it on (not loopback: a token)',
  },
  'dashboard-linger': { type: 'string', default: '0', describe: 'seconds to keep serving after the run' },
  'pulse-group': {
    type: 'string',
    default: 'datastorm-pulse',
    describe: "the dashboard's BrandPulse panel: pulse's group",
  },
} as const satisfies Record<string, FlagSpec>;

/** undefined when --dashboard was not given. */
export function parseDashboardOptions(
  raw: RawFlags,
  c: OptionChecks,
  influx: DashboardOptions['influx'],
): DashboardOptions | undefined {
  if (raw.dashboard === undefined) return undefined;
  const port = raw.dashboard === '' ? DEFAULT_DASHBOARD_PORT : c.whole('dashboard', raw.dashboard, 1, 65535, 'port');
  const lingerSec = c.whole('dashboard-linger', raw['dashboard-linger'] ?? '0', 0, 86_400) ?? 0;
  const host = String(raw['dashboard-host'] ?? '127.0.0.1');
  return {
    port: port ?? DEFAULT_DASHBOARD_PORT,
    host,
    lingerSec,
    influx,
    pulseGroup: String(raw['pulse-group'] ?? 'datastorm-pulse'),
  };
}
