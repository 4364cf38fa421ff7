/**
 * The InfluxDB a command talks to, from its --influx-* flags: pulse's sink, the storm's and the dashboard's BrandPulse
 * panel. Every problem is added to the caller's checks; the token stays out of argv when it comes from the environment.
 */
import fs from 'node:fs';
import type { Options as FlagSpec } from 'yargs';
import type { OptionChecks, RawFlags } from '../option-checks.js';
import type { InfluxTarget } from './influx-sink.js';

/** What the flags ask for: no token means the local instance's, or none (the caller decides). */
export type InfluxRequest = Omit<InfluxTarget, 'token'> & { token?: string };

export const INFLUX_DEFAULTS = { url: 'http://127.0.0.1:8086', org: 'datastorm', bucket: 'brandpulse' } as const;

/** The environment variable that may carry the token, so it stays out of shell history and process lists. */
export const TOKEN_ENV = 'DATASTORM_INFLUX_TOKEN';

/** The InfluxDB token the flags give: --influx-token, else $DATASTORM_INFLUX_TOKEN (an empty one counts as unset). */
export const tokenFromFlags = (raw: RawFlags, env: Readonly<Record<string, string | undefined>> = process.env) =>
  raw['influx-token'] === undefined ? env[TOKEN_ENV] || undefined : String(raw['influx-token']);

/**
 * The InfluxDB a command reads or writes, from its --influx-* flags (pulse's sink, the dashboards' BrandPulse panel);
 * every problem added to c. No token here means the local instance's or none (the caller decides).
 */
export function influxFromFlags(c: OptionChecks, raw: RawFlags, env = process.env): InfluxRequest {
  const url = c.httpUrl('influx-url', raw['influx-url']) ?? INFLUX_DEFAULTS.url;
  const token = tokenFromFlags(raw, env);
  if (token !== undefined && !/^\S+$/.test(token))
    c.add('--influx-token must be a token without spaces (got one with)');
  const name = (flag: string, v: unknown, fallback: string) => {
    if (v === undefined) return fallback;
    if (String(v).trim() !== '') return String(v);
    c.add(`--${flag} must not be empty`);
    return fallback;
  };
  const org = name('influx-org', raw['influx-org'], INFLUX_DEFAULTS.org);
  const bucket = name('influx-bucket', raw['influx-bucket'], INFLUX_DEFAULTS.bucket);
  const caFile = raw['influx-ca'] === undefined ? undefined : String(raw['influx-ca']);
  if (caFile !== undefined) {
    if (!url.startsWith('https://')) c.add(`--influx-ca needs an https:// --influx-url (got '${url}')`);
    else if (!isFile(caFile))
      c.add(`--influx-ca must be a PEM file of the CA that signed InfluxDB's certificate (got '${caFile}')`);
  }
  return { url, org, bucket, token, ...(caFile === undefined ? {} : { caFile }) };
}

const isFile = (file: string) => {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

export const influxFlags = {
  'influx-url': { type: 'string', default: INFLUX_DEFAULTS.url, describe: 'InfluxDB URL' },
  'influx-org': { type: 'string', default: INFLUX_DEFAULTS.org, describe: 'InfluxDB organization' },
  'influx-bucket': { type: 'string', default: INFLUX_DEFAULTS.bucket, describe: 'InfluxDB bucket' },
  'influx-token': {
    type: 'string',
    describe: `InfluxDB API token (default: $${TOKEN_ENV}, else the local InfluxDB's, from scripts/influxdb.sh)`,
  },
  'influx-ca': {
    type: 'string',
    describe:
      'an https InfluxDB: PEM file of the CA that signed its certificate (scripts/influxdb.sh up --tls prints it)',
  },
} as const satisfies Record<string, FlagSpec>;
