/** The partial reader reads what avsc reads, and refuses what avsc refuses. */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BrandTable } from '../../../src/generate/brand-table.js';
import { BRANDS } from '../../../src/generate/texts.js';
import {
  buildPool,
  DEFAULT_SCHEMA,
  encodePrefix,
  encodeTweet,
  loadTweetType,
} from '../../../src/generate/tweet-encoder.js';
import { TweetReader } from '../../../src/generate/tweet-reader.js';
import { Rng } from '../../../src/random.js';

function tweets(schemaFile?: string, n = 300): { buf: Buffer; ends: number[] } {
  const type = loadTweetType(schemaFile);
  const pool = buildPool(type, new Rng(7), Object.keys(BRANDS), 64);
  const prefix = encodePrefix('run-é', 'run-é/abc.p1.0');
  const buf = Buffer.alloc(n * 1024);
  const ends: number[] = [];
  let off = 0;
  for (let i = 0; i < n; i++) {
    off = encodeTweet(
      buf,
      off,
      prefix,
      i * 977,
      2 ** 45 + i,
      1_760_000_000_000 + i * 13,
      pool.tails[i % 3][(i * 7) % 64],
    );
    ends.push(off);
  }
  return { buf, ends };
}

test("every readable field equals avsc's full decode, message after message from one buffer", () => {
  const type = loadTweetType();
  const reader = new TweetReader(type, [
    'run_id',
    'producer_id',
    'seq',
    'id',
    'created_at',
    'text',
    'brand',
    'sentiment',
  ]);
  const { buf, ends } = tweets();
  let start = 0;
  for (const end of ends) {
    const full = type.fromBuffer(buf.subarray(start, end)) as Record<string, unknown>;
    const v = reader.read(buf, start, end);
    assert.ok(v);
    for (const k of ['run_id', 'producer_id', 'seq', 'id', 'created_at', 'text', 'brand', 'sentiment'] as const)
      assert.equal(v[k], full[k], k);
    assert.equal(v.sentimentIndex, ['positive', 'negative', 'neutral'].indexOf(full.sentiment as string));
    start = end;
  }
});

test('a user schema with extra fields (a union, a map, a fixed) is walked by the same plan', () => {
  const schema = JSON.parse(fs.readFileSync(DEFAULT_SCHEMA, 'utf8'));
  schema.fields.push(
    {
      name: 'geo',
      type: [
        'null',
        {
          type: 'record',
          name: 'Geo',
          fields: [
            { name: 'lat', type: 'double' },
            { name: 'lon', type: 'float' },
          ],
        },
      ],
      default: null,
    },
    { name: 'tags', type: { type: 'map', values: 'int' }, default: { a: 1, bb: 2 } },
    { name: 'digest', type: { type: 'fixed', name: 'D', size: 4 }, default: 'abcd' },
  );
  const file = path.join(os.tmpdir(), `reader-schema-${process.pid}.avsc`);
  fs.writeFileSync(file, JSON.stringify(schema));
  const type = loadTweetType(file);
  const reader = new TweetReader(type, ['producer_id', 'seq', 'sentiment']);
  const { buf, ends } = tweets(file, 50);
  let start = 0;
  for (const end of ends) {
    const full = type.fromBuffer(buf.subarray(start, end)) as Record<string, unknown>;
    const v = reader.read(buf, start, end);
    assert.ok(v);
    assert.equal(v.seq, full.seq);
    assert.equal(v.sentiment, full.sentiment);
    start = end;
  }
});

test('what avsc refuses, the reader refuses: truncated, trailing bytes, empty, not Avro, an enum out of range', () => {
  const type = loadTweetType();
  const reader = new TweetReader(type, ['brand', 'sentiment', 'created_at']);
  const { buf, ends } = tweets(undefined, 1);
  const one = Buffer.from(buf.subarray(0, ends[0]));
  const cases: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['truncated', one.subarray(0, one.length - 1)],
    ['trailing byte', Buffer.concat([one, Buffer.from([0])])],
    ['not Avro', Buffer.from('{"hello": "world"}')],
    ['enum out of range', Buffer.concat([one.subarray(0, one.length - 1), Buffer.from([6])])],
  ];
  for (const [what, b] of cases) {
    assert.throws(() => type.fromBuffer(b), Error, `avsc accepts ${what}`);
    assert.equal(reader.read(b, 0, b.length), null, what);
  }
  assert.ok(reader.read(one, 0, one.length), 'the intact tweet still reads');
});

test("with a BrandTable the brand is read as an index naming avsc's brand, on the default and a user schema", () => {
  const schema = JSON.parse(fs.readFileSync(DEFAULT_SCHEMA, 'utf8'));
  schema.fields.splice(8, 0, { name: 'extra', type: ['null', 'string'], default: null });
  schema.fields.push({ name: 'scores', type: { type: 'array', items: 'double' }, default: [1.5, 2] });
  const file = path.join(os.tmpdir(), `reader-brands-${process.pid}.avsc`);
  fs.writeFileSync(file, JSON.stringify(schema));
  for (const schemaFile of [undefined, file]) {
    const type = loadTweetType(schemaFile);
    const table = new BrandTable();
    const reader = new TweetReader(type, ['created_at', 'brand', 'sentiment'], table);
    const { buf, ends } = tweets(schemaFile, 400);
    const brands = new Set<string>();
    let start = 0;
    for (const end of ends) {
      const full = type.fromBuffer(buf.subarray(start, end)) as Record<string, unknown>;
      const v = reader.read(buf, start, end);
      assert.ok(v);
      assert.equal(table.names[v.brandIndex], full.brand);
      assert.equal(v.created_at, full.created_at);
      assert.equal(v.sentiment, full.sentiment);
      brands.add(full.brand as string);
      start = end;
    }
    assert.equal(table.size, brands.size, 'one index per brand seen');
  }
});
