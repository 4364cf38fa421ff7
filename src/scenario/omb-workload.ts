/**
 * An OpenMessaging Benchmark workload file, run as it is (`--omb-workload FILE`): every field of OMB's `Workload`
 * becomes the storm flag that does the same (a topic of partitionsPerTopic, producersPerTopic producers,
 * subscriptionsPerTopic consumer groups of consumerPerSubscription readers, producerRate, the payload file or random
 * payloads, the key distributor, the test's and the warm-up's minutes). A field DataStorm cannot honour is refused by
 * name, never ignored. Flags on the command line override the file's (a shorter --duration, another --topic).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readYamlMap } from './yaml-map.js';

/** OMB's key distributors draw from this many keys (its KeyDistributor.UNIQUE_COUNT). */
const OMB_KEYS = 10_000;
const KEY_DISTRIBUTORS: Record<string, string | undefined> = {
  NO_KEY: undefined,
  KEY_ROUND_ROBIN: `round-robin:${OMB_KEYS}`,
  RANDOM_NANO: `uniform:${OMB_KEYS}`,
};

export interface OmbWorkload {
  name?: string;
  /** The storm flags the workload sets. */
  flags: Record<string, string>;
  problems: string[];
}

type Fields = Record<string, unknown>;
type Field = (v: unknown, w: Fields, out: OmbWorkload, file: string) => void;

const whole = (min: number) => (v: unknown) => (Number.isInteger(v) && (v as number) >= min ? (v as number) : null);
const share = (v: unknown) => (typeof v === 'number' && v >= 0 && v <= 1 ? v : null);

/** Each field of OMB's Workload: how it becomes flags (or why it is refused). */
const FIELDS: Record<string, Field> = {
  name: (v, _w, out) => {
    out.name = String(v);
  },
  topics: (v, _w, out, file) => {
    if (v !== 1)
      out.problems.push(
        `--omb-workload ${file}: topics: ${String(v)}: DataStorm writes one topic per run (many topics are not ` +
          'built yet); use a workload of topics: 1',
      );
  },
  partitionsPerTopic: number('partitionsPerTopic', 'partitions', 1),
  keyDistributor: (v, _w, out, file) => {
    if (typeof v !== 'string' || !Object.hasOwn(KEY_DISTRIBUTORS, v)) {
      bad(out, file, 'keyDistributor', v, `one of ${Object.keys(KEY_DISTRIBUTORS).join(', ')}`);
      return;
    }
    const keys = KEY_DISTRIBUTORS[v];
    if (keys) out.flags.keys = keys;
  },
  messageSize: () => {}, // read with payloadFile and useRandomizedPayloads
  payloadFile: () => {},
  useRandomizedPayloads: () => {},
  randomBytesRatio: () => {},
  randomizedPayloadPoolSize: () => {},
  subscriptionsPerTopic: number('subscriptionsPerTopic', 'consumer-groups', 0),
  consumerPerSubscription: number('consumerPerSubscription', 'consumers', 1),
  producersPerTopic: number('producersPerTopic', 'workers', 1),
  producerRate: (v, _w, out, file) => {
    // 0: OMB searches the highest rate the consumers keep up with; --find-max steps up to it, readers judged too.
    if (v === 0) {
      out.flags['find-max'] = '';
      return;
    }
    if (whole(1)(v) === null) {
      bad(out, file, 'producerRate', v, 'a whole number of messages/s above 0');
      return;
    }
    out.flags.rate = String(v);
  },
  consumerBacklogSizeGB: (v, _w, out, file) => {
    if (v === 0) return;
    if (whole(1)(v) === null) {
      bad(out, file, 'consumerBacklogSizeGB', v, 'a whole number of GiB, 0 for none');
      return;
    }
    out.flags.backlog = `${v}GiB`; // OMB's GB are 1024^3 bytes
  },
  backlogDrainRatio: (v, _w, out, file) => {
    // OMB drains the backlog to this share; DataStorm reports when the readers are back within a second of production.
    if (v !== 1) bad(out, file, 'backlogDrainRatio', v, '1.0 (the readers drain the whole backlog)');
  },
  testDurationMinutes: () => {}, // with warmupDurationMinutes
  warmupDurationMinutes: () => {},
};

function bad(out: OmbWorkload, file: string, field: string, v: unknown, allowed: string): void {
  out.problems.push(`--omb-workload ${file}: ${field} must be ${allowed} (got ${JSON.stringify(v)})`);
}

/** A field that is a whole number and one flag. */
function number(field: string, flag: string, min: number): Field {
  return (v, _w, out, file) => {
    const n = whole(min)(v);
    if (n === null) {
      bad(out, file, field, v, `a whole number of ${min} or more`);
      return;
    }
    out.flags[flag] = String(n);
  };
}

export function loadOmbWorkload(file: string): OmbWorkload {
  const out: OmbWorkload = { flags: {}, problems: [] };
  const { map: w, problem } = readYamlMap('--omb-workload', file, "OpenMessaging Benchmark's workload fields");
  if (!w) return { ...out, problems: [String(problem)] };
  for (const [key, value] of Object.entries(w)) {
    const field = FIELDS[key];
    if (!field)
      out.problems.push(`--omb-workload ${file}: '${key}' is not a field of OpenMessaging Benchmark's workload`);
    else field(value, w, out, file);
  }
  if (w.topics === undefined) out.problems.push(`--omb-workload ${file}: topics is missing (OMB needs it)`);
  payloadOf(w, out, file);
  minutesOf(w, out, file);
  out.flags.topic = `omb-${randomBytes(4).toString('hex')}`;
  if (out.flags['consumer-groups'] === '0') delete out.flags.consumers; // no subscriptions: no readers
  return out;
}

/** messageSize with payloadFile (its length must be the size, as OMB checks) or random payloads. */
function payloadOf(w: Fields, out: OmbWorkload, file: string): void {
  const size = whole(1)(w.messageSize);
  if (size === null) {
    bad(out, file, 'messageSize', w.messageSize, 'a whole number of bytes above 0');
    return;
  }
  if (w.useRandomizedPayloads === true) {
    const ratio = share(w.randomBytesRatio ?? 0);
    const pool = whole(1)(w.randomizedPayloadPoolSize);
    if (ratio === null) bad(out, file, 'randomBytesRatio', w.randomBytesRatio, 'a share from 0 to 1');
    if (pool === null)
      bad(out, file, 'randomizedPayloadPoolSize', w.randomizedPayloadPoolSize, 'a whole number of payloads above 0');
    Object.assign(out.flags, {
      'payload-size': String(size),
      'payload-random': String(ratio ?? 0),
      'payload-pool': String(pool ?? 1),
    });
    return;
  }
  if (w.useRandomizedPayloads !== undefined && w.useRandomizedPayloads !== false) {
    bad(out, file, 'useRandomizedPayloads', w.useRandomizedPayloads, 'true or false');
    return;
  }
  if (typeof w.payloadFile !== 'string') {
    bad(out, file, 'payloadFile', w.payloadFile, 'a file (or useRandomizedPayloads: true)');
    return;
  }
  const found = payloadPath(file, w.payloadFile);
  if (!found) {
    out.problems.push(`--omb-workload ${file}: payloadFile ${w.payloadFile}: no such file`);
    return;
  }
  const length = fs.statSync(found).size;
  if (length !== size) {
    out.problems.push(
      `--omb-workload ${file}: payloadFile ${w.payloadFile} is ${length} bytes, messageSize says ${size} ` +
        '(OpenMessaging Benchmark refuses the mismatch too)',
    );
    return;
  }
  out.flags.payload = found;
}

/**
 * A payload file as OMB names it, relative to the directory it runs from: looked for beside the workload, in the
 * workload's parent (OMB's workloads/ and payload/ are siblings), then in the current directory.
 */
function payloadPath(workload: string, payload: string): string | undefined {
  if (path.isAbsolute(payload)) return fs.existsSync(payload) ? payload : undefined;
  const dir = path.dirname(workload);
  return [path.join(dir, payload), path.join(dir, '..', payload), path.resolve(payload)].find((p) => fs.existsSync(p));
}

/** The run lasts the warm-up and the test (OMB runs the warm-up first, then resets its statistics). */
function minutesOf(w: Fields, out: OmbWorkload, file: string): void {
  const test = typeof w.testDurationMinutes === 'number' && w.testDurationMinutes > 0 ? w.testDurationMinutes : null;
  if (test === null) {
    bad(out, file, 'testDurationMinutes', w.testDurationMinutes, 'a number of minutes above 0');
    return;
  }
  const warm = w.warmupDurationMinutes ?? 1; // OMB's default
  if (typeof warm !== 'number' || warm < 0) {
    bad(out, file, 'warmupDurationMinutes', w.warmupDurationMinutes, 'a number of minutes, 0 or more');
    return;
  }
  out.flags.duration = `${Math.round((test + warm) * 60)}s`;
  out.flags.warmup = `${Math.round(warm * 60)}s`;
}
