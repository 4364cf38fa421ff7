/** The independent Python reader (test/helpers/read_records.py, in the venv scripts/python-readers.sh made). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootstrap, ROOT, run } from './services.js';

export interface ReadRecord {
  key: string | null;
  partition: number;
  value?: Record<string, unknown>;
  same?: boolean;
  schemaId?: number;
  error?: string;
}

const python = (): string => {
  const v = process.env.DATASTORM_TEST_PYTHON;
  if (!v)
    throw new Error('DATASTORM_TEST_PYTHON is not set: run the tests through npm test (scripts/python-readers.sh)');
  return v;
};

/**
 * Every record of the topic as fastavro decodes it by `schema` (with `registry`, the Confluent deserializer; with
 * `json`, Python's json module).
 */
export async function readRecords(
  topic: string,
  schema: unknown,
  opts: { roundtrip?: boolean; registry?: string; json?: boolean; proto?: string; message?: string } = {},
): Promise<ReadRecord[]> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ds-py-')), 'schema.avsc');
  fs.writeFileSync(file, JSON.stringify(schema));
  const args = [path.join(ROOT, 'test/helpers/read_records.py'), bootstrap(), topic, file];
  if (opts.roundtrip) args.push('--roundtrip');
  if (opts.registry) args.push('--registry', opts.registry);
  if (opts.json) args.push('--json');
  if (opts.proto) args.push('--proto', opts.proto, '--message', opts.message ?? '');
  const r = await run(python(), args, {}, 300_000);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  if (r.code !== 0) throw new Error(`read_records.py exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ReadRecord);
}
