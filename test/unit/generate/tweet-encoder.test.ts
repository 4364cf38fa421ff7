import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import avro from 'avsc';
import { BRANDS } from '../../../src/generate/texts.js';
import {
  buildPool,
  DEFAULT_SCHEMA,
  decodeTweet,
  encodePrefix,
  encodeTweet,
  loadTweetType,
  writeLong,
} from '../../../src/generate/tweet-encoder.js';
import { Rng } from '../../../src/random.js';
import { recordOf } from '../../helpers/tweet-record.js';

test('zig-zag varints match avsc for longs across the safe range', () => {
  const long = avro.Type.forSchema('long');
  const buf = Buffer.alloc(16);
  for (const n of [0, 1, 63, 64, 127, 128, 300, 2 ** 31, 2 ** 40 + 7, Date.now(), 2 ** 51 - 1]) {
    const end = writeLong(buf, 0, n);
    assert.deepEqual(buf.subarray(0, end), long.toBuffer(n), `n=${n}`);
  }
});

test('hand-encoded tweets are byte-identical to avsc and decode back', () => {
  const type = loadTweetType();
  const rng = new Rng(1);
  const pool = buildPool(type, rng, Object.keys(BRANDS), 64);
  const prefix = encodePrefix('run-1', 'run-1/p0.0');
  const out = Buffer.alloc(4096);
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < 64; i += 7) {
      const c = pool.contents[s][i];
      const seq = i * 1000 + s;
      const id = 2 ** 40 + seq;
      const ts = 1_760_000_000_000 + i;
      const end = encodeTweet(out, 0, prefix, seq, id, ts, pool.tails[s][i]);
      assert.deepEqual(out.subarray(0, end), type.toBuffer(recordOf(c, seq, id, ts)));
      const back = decodeTweet(type, Buffer.from(out.subarray(0, end)));
      assert.equal(back.seq, seq);
      assert.equal(back.sentiment, ['positive', 'negative', 'neutral'][s]);
    }
  }
});

test('texts are varied and their tone matches the label', () => {
  const type = loadTweetType();
  const pool = buildPool(type, new Rng(3), Object.keys(BRANDS), 512);
  for (let s = 0; s < 3; s++) {
    const texts = new Set(pool.contents[s].map((c) => c.text));
    assert.ok(texts.size > 300, `${texts.size} distinct texts`);
    for (const c of pool.contents[s]) assert.equal(c.sentiment, ['positive', 'negative', 'neutral'][s]);
  }
  const lengths = pool.contents.flat().map((c) => c.text.length);
  assert.ok(Math.max(...lengths) - Math.min(...lengths) > 30, 'lengths vary');
  assert.ok(
    pool.contents[0].some((c) => /[😍🔥🙌💯]/u.test(c.text)),
    'positive texts carry positive emoji',
  );
  assert.ok(!pool.contents[1].some((c) => /😍|🙌/u.test(c.text)), 'negative texts carry no positive emoji');
});

test('a malformed schema file is a SCHEMA error with one line', () => {
  assert.throws(
    () => loadTweetType('/nonexistent.avsc'),
    (e: { code?: string; message: string }) => e.code === 'SCHEMA' && !e.message.includes('\n'),
  );
});

test('each way a --schema file can be wrong is one SCHEMA line naming the option', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-schema-'));
  const base = JSON.parse(fs.readFileSync(DEFAULT_SCHEMA, 'utf8')) as { fields: Record<string, unknown>[] };
  const cases: [string, string, RegExp][] = [
    ['truncated.avsc', '{"type": "record", "fields": [', /^--schema .*truncated\.avsc is not valid JSON: /],
    [
      'not-avro.avsc',
      '{"type": "record", "name": "T", "fields": [{"name": "x", "type": "strng"}]}',
      /^--schema .*not-avro\.avsc is not a valid Avro schema: /,
    ],
    [
      'reordered.avsc',
      JSON.stringify({ ...base, fields: [base.fields[1], base.fields[0], ...base.fields.slice(2)] }),
      /must start with the fields run_id, producer_id, seq, id, created_at/,
    ],
    [
      'no-default.avsc',
      JSON.stringify({ ...base, fields: [...base.fields, { name: 'region', type: 'string' }] }),
      /field 'region' is not one DataStorm generates and has no default/,
    ],
    ...misfits(base),
  ];
  for (const [name, text, pattern] of cases) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    assert.throws(
      () => loadTweetType(file),
      (e: { code?: string; message: string }) =>
        e.code === 'SCHEMA' && pattern.test(e.message) && !e.message.includes('\n'),
      name,
    );
  }
});

test(
  'a --schema with an extra field that has a default: tweets carry the default, byte-for-byte as avsc encodes ' +
    'them',
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-schema-'));
    const base = JSON.parse(fs.readFileSync(DEFAULT_SCHEMA, 'utf8')) as { fields: Record<string, unknown>[] };
    const file = path.join(dir, 'extended.avsc');
    fs.writeFileSync(
      file,
      JSON.stringify({ ...base, fields: [...base.fields, { name: 'region', type: 'string', default: 'eu-west' }] }),
    );
    const type = loadTweetType(file);
    const pool = buildPool(type, new Rng(3), ['Apple'], 8);
    const out = Buffer.alloc(4096);
    const end = encodeTweet(out, 0, encodePrefix('r1', 'r1/p0.0'), 7, 42, 1_700_000_000_000, pool.tails[2][5]);
    const t = type.fromBuffer(out.subarray(0, end)) as { region: string; seq: number; sentiment: string };
    assert.equal(t.region, 'eu-west');
    assert.equal(t.seq, 7);
    assert.equal(t.sentiment, 'neutral');
    assert.deepEqual(out.subarray(0, end), type.toBuffer(t));
  },
);

/** Schemas whose generated fields have types the generator or reader cannot fill: each refused, naming the field. */
function misfits(base: { fields: Record<string, unknown>[] }): [string, string, RegExp][] {
  const withType = (name: string, type: unknown) =>
    JSON.stringify({ ...base, fields: base.fields.map((f) => (f.name === name ? { ...f, type } : f)) });
  return [
    [
      'seq-string.avsc',
      withType('seq', 'string'),
      /field 'seq' must be long for DataStorm to generate it \(is string\)/,
    ],
    ['text-int.avsc', withType('text', 'int'), /field 'text' must be string .*\(is int\)/],
    ['brand-union.avsc', withType('brand', ['null', 'string']), /field 'brand' must be string .*\(is a union\)/],
    [
      'sentiment-short.avsc',
      withType('sentiment', { type: 'enum', name: 'S', symbols: ['positive', 'negative'] }),
      /field 'sentiment' must be an enum with the symbols positive, negative and neutral/,
    ],
    [
      'user-flat.avsc',
      withType('user', 'string'),
      /field 'user' must be a record of handle \(string\), followers \(int or long\) and verified \(boolean\)/,
    ],
  ];
}

test('a schema whose generated fields keep their types, extras with defaults, is taken', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-schema-'));
  const base = JSON.parse(fs.readFileSync(DEFAULT_SCHEMA, 'utf8')) as { fields: Record<string, unknown>[] };
  const fields = base.fields.map((f) =>
    f.name === 'user'
      ? {
          ...f,
          type: {
            type: 'record',
            name: 'U2',
            fields: [
              { name: 'handle', type: 'string' },
              { name: 'followers', type: 'long' },
              { name: 'verified', type: 'boolean' },
            ],
          },
        }
      : f,
  );
  const file = path.join(dir, 'ok.avsc');
  fs.writeFileSync(
    file,
    JSON.stringify({ ...base, fields: [...fields, { name: 'region', type: 'string', default: 'eu' }] }),
  );
  assert.doesNotThrow(() => loadTweetType(file));
});
