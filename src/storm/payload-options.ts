/**
 * --payload FILE, or --payload-size N with --payload-random and --payload-pool: raw payloads instead of records, as
 * OpenMessaging Benchmark writes them (generate/payload-plan.ts). They stand instead of a schema, so they refuse one,
 * and the registry (raw bytes have no schema to register).
 */
import type { Options as FlagSpec } from 'yargs';
import type { PayloadSpec } from '../generate/payload-plan.js';
import type { OptionChecks, RawFlags } from '../option-checks.js';

export const DEFAULT_PAYLOAD_POOL = 1000;

export const payloadFlags = {
  payload: {
    type: 'string',
    describe: "a file whose bytes are every message's value (OpenMessaging Benchmark's payloadFile)",
  },
  'payload-size': {
    type: 'string',
    describe: 'random payloads of this many bytes instead of records (1 to 20,971,520)',
  },
  'payload-random': {
    type: 'string',
    describe: 'with --payload-size: the share of each payload that is random, the rest zeros (0-1; default 1)',
  },
  'payload-pool': {
    type: 'string',
    describe:
      'with --payload-size: how many different payloads to draw from ' + `(1-100,000; default ${DEFAULT_PAYLOAD_POOL})`,
  },
} as const satisfies Record<string, FlagSpec>;

const SCHEMA_FLAGS = ['schema', 'quickstart', 'proto', 'key-field', 'schema-registry'] as const;

export function parsePayloadFlags(c: OptionChecks, raw: RawFlags): PayloadSpec | undefined {
  const size = c.whole('payload-size', raw['payload-size'], 1, 20 * 1024 * 1024);
  const ratio = c.number('payload-random', raw['payload-random'], (r) => r >= 0 && r <= 1, 'a share from 0 to 1');
  const pool = c.whole('payload-pool', raw['payload-pool'], 1, 100_000);
  const file = raw.payload === undefined ? undefined : String(raw.payload);
  if (file !== undefined && raw['payload-size'] !== undefined)
    c.add('--payload and --payload-size both say what to write: give one');
  if (file === undefined && raw['payload-size'] === undefined) {
    for (const flag of ['payload-random', 'payload-pool'])
      if (raw[flag] !== undefined) c.add(`--${flag} needs --payload-size N`);
    return undefined;
  }
  const what = file !== undefined ? '--payload' : '--payload-size';
  for (const flag of SCHEMA_FLAGS)
    if (raw[flag] !== undefined) c.add(`${what} writes raw payloads: --${flag} is for records; give one of them`);
  if (file !== undefined) return { kind: 'file', file };
  if (size === undefined) return undefined;
  return { kind: 'random', size, randomRatio: ratio ?? 1, pool: pool ?? DEFAULT_PAYLOAD_POOL };
}
