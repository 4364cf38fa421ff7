/**
 * Payloads as OpenMessaging Benchmark writes them: a file's bytes as every message's value (`payloadFile`), or a pool
 * of random payloads of one size, each its first `ratio` of bytes random and the rest zeros (`useRandomizedPayloads`,
 * `randomBytesRatio`, `randomizedPayloadPoolSize`: compressible as much as the ratio says), one drawn per message. A
 * record plan of one pooled segment, so the storm's record path writes them (storm/record-sender.ts).
 */
import fs from 'node:fs';
import { DataStormError } from '../errors.js';
import type { Sfc32 } from '../random.js';
import { RecordPlan } from './record-plan.js';

export type PayloadSpec =
  | { kind: 'file'; file: string }
  | { kind: 'random'; size: number; randomRatio: number; pool: number };

/** A payload file is read whole into memory: no broker takes a message near this. */
export const MAX_PAYLOAD_BYTES = 20 * 1024 * 1024;

/** The plan that writes the payloads; throws INVALID_OPTION for a file that cannot be one. */
export function payloadPlan(spec: PayloadSpec, draws: Sfc32): RecordPlan {
  const pool = spec.kind === 'file' ? [readPayloadFile(spec.file)] : randomPayloads(spec, draws);
  const bytes = Buffer.concat(pool);
  const ends = new Uint32Array(pool.length);
  let end = 0;
  pool.forEach((p, i) => {
    end += p.length;
    ends[i] = end;
  });
  return new RecordPlan([{ kind: 'pool', path: '(payload)', bytes, ends }]);
}

/** The size of each message's value. */
export function payloadSize(spec: PayloadSpec): number {
  return spec.kind === 'file' ? readPayloadFile(spec.file).length : spec.size;
}

function readPayloadFile(file: string): Buffer {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    if (stat.size > MAX_PAYLOAD_BYTES) throw new Error(`larger than ${MAX_PAYLOAD_BYTES >> 20} MiB`);
    if (stat.size === 0) throw new Error('empty');
    return fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : (err.code ?? err.message);
    throw new DataStormError('INVALID_OPTION', `--payload ${file}: ${why}`);
  }
}

function randomPayloads(spec: Extract<PayloadSpec, { kind: 'random' }>, draws: Sfc32): Buffer[] {
  const random = Math.trunc(spec.size * spec.randomRatio);
  return Array.from({ length: spec.pool }, () => {
    const p = Buffer.alloc(spec.size);
    for (let i = 0; i < random; i++) p[i] = draws.int(256);
    return p;
  });
}
