/**
 * Any Avro record schema, compiled: every message the plan writes decodes with avsc and encodes back to the same
 * bytes, over a schema with every Avro type and logical type; every arg.properties hint holds over 100,000 records
 * (options only from the list, ranges and lengths respected, regexes matched, iterations strictly stepping, odds
 * within a point); bad hints are every problem at once, each naming the field.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { compileRecordPlan, type RecordPlan } from '../../../src/generate/record-plan.js';
import { withoutComments } from '../../../src/generate/schema-json.js';
import { Sfc32 } from '../../../src/random.js';

const RECORDS = 100_000;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

function planOf(schema: unknown): RecordPlan {
  const { plan, problems } = compileRecordPlan(schema, new Sfc32(7));
  assert.deepEqual(problems, []);
  assert.ok(plan);
  return plan;
}

/** n messages of the plan, decoded by avsc, each also re-encoded by avsc to the very bytes the plan wrote. */
function decoded(schema: unknown, n: number): Record<string, unknown>[] {
  const plan = planOf(schema);
  const type = avro.Type.forSchema(schema as avro.Schema);
  const rng = new Sfc32(11);
  const buf = Buffer.alloc(plan.maxMessage);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const end = plan.write(buf, 0, i, 1_764_460_800_000 + i, rng);
    const bytes = buf.subarray(0, end);
    const value = type.fromBuffer(bytes) as Record<string, unknown>;
    if (i < 2000) assert.ok(type.toBuffer(value).equals(bytes), `message ${i} re-encodes to the same bytes`);
    out.push(value);
  }
  return out;
}

const field = (name: string, type: unknown) => ({ name, type });
const hinted = (type: string, hints: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type,
  ...extra,
  'arg.properties': hints,
});

const ORDERS = {
  type: 'record',
  name: 'orders',
  namespace: 'ksql',
  fields: [
    field('ordertime', hinted('long', { range: { min: 1487715775521, max: 1519273364600 } })),
    field('orderid', hinted('int', { iteration: { start: 0 } })),
    field('itemid', hinted('string', { regex: 'Item_[1-9][0-9]{0,2}' })),
    field('orderunits', hinted('double', { range: { min: 0.1, max: 10.0 } })),
    field('gender', hinted('string', { options: ['MALE', 'FEMALE', 'OTHER'] })),
    field('viewtime', hinted('long', { iteration: { start: 1, step: 10 } })),
    field('countdown', hinted('int', { iteration: { start: 10, restart: 0 } })),
    field('flag', hinted('boolean', { odds: 0.2 })),
    field('toggle', hinted('boolean', { iteration: { start: true } })),
    field('seq', hinted('string', { iteration: { start: 100, step: 5 }, prefix: 'S-' })),
    field(
      'price',
      hinted('bytes', { range: { min: 10, max: 50 } }, { logicalType: 'decimal', precision: 4, scale: 2 }),
    ),
    field('name', hinted('string', { length: { min: 3, max: 6 }, prefix: 'n-', suffix: '!' })),
    field(
      'tags',
      hinted('array', { length: { min: 1, max: 4 } }, { items: hinted('string', { options: ['a', 'b'] }) }),
    ),
    field('attrs', hinted('map', { length: 2, keys: { regex: 'k[0-9]' } }, { values: 'int' })),
    field('address', {
      type: 'record',
      name: 'address',
      fields: [
        field('city', hinted('string', { regex: 'City_[1-9]{0,2}' })),
        field('zipcode', hinted('long', { range: { min: 10000, max: 99999 } })),
      ],
    }),
  ],
};

test('every hint holds over 100,000 records, and every record is what avsc reads and writes', () => {
  const rows = decoded(ORDERS, RECORDS);
  let flags = 0;
  rows.forEach((r, i) => {
    const t = r.ordertime as number;
    assert.ok(t >= 1487715775521 && t < 1519273364600, `ordertime ${t}`);
    assert.equal(r.orderid, i, 'iteration from 0, strictly stepping');
    assert.match(r.itemid as string, /^Item_[1-9][0-9]{0,2}$/);
    const units = r.orderunits as number;
    assert.ok(units >= 0.1 && units < 10, `orderunits ${units}`);
    assert.ok(['MALE', 'FEMALE', 'OTHER'].includes(r.gender as string));
    assert.equal(r.viewtime, 1 + 10 * i);
    assert.equal(r.countdown, 10 - (i % 10), 'counts down from 10, back to 10 on reaching 0');
    if (r.flag) flags++;
    assert.equal(r.toggle, i % 2 === 0);
    assert.equal(r.seq, `S-${100 + 5 * i}`, 'a string iteration is the number, with its prefix');
    const cents = (r.price as Buffer).readIntBE(0, (r.price as Buffer).length);
    assert.ok(cents >= 1000 && cents < 5000, `decimal(4,2) in [10, 50): ${cents / 100}`);
    assert.match(r.name as string, /^n-[a-zA-Z0-9]{3,5}!$/);
    const tags = r.tags as string[];
    assert.ok(tags.length >= 1 && tags.length < 4 && tags.every((x) => x === 'a' || x === 'b'));
    const attrs = r.attrs as Record<string, number>;
    assert.ok(Object.keys(attrs).length >= 1 && Object.keys(attrs).every((k) => /^k[0-9]$/.test(k)));
    const address = r.address as { city: string; zipcode: number };
    assert.match(address.city, /^City_[1-9]{0,2}$/);
    assert.ok(address.zipcode >= 10000 && address.zipcode < 99999);
  });
  assert.ok(Math.abs(flags / RECORDS - 0.2) < 0.01, `odds 0.2: ${flags / RECORDS}`);
  const genders = new Set(rows.map((r) => r.gender));
  assert.equal(genders.size, 3, 'every option drawn');
});

test('every Avro type and logical type, hint-less, round-trips through avsc', () => {
  const everyType = {
    type: 'record',
    name: 'every',
    fields: [
      field('n', 'null'),
      field('b', 'boolean'),
      field('i', 'int'),
      field('l', 'long'),
      field('f', 'float'),
      field('d', 'double'),
      field('by', 'bytes'),
      field('s', 'string'),
      field('e', { type: 'enum', name: 'color', symbols: ['RED', 'GREEN', 'BLUE'] }),
      field('fx', { type: 'fixed', name: 'md5', size: 16 }),
      field('a', { type: 'array', items: 'long' }),
      field('m', { type: 'map', values: ['null', 'string'] }),
      field('u', ['null', 'int', 'string', 'color']),
      field('ts', { type: 'long', logicalType: 'timestamp-millis' }),
      field('tus', { type: 'long', logicalType: 'timestamp-micros' }),
      field('day', { type: 'int', logicalType: 'date' }),
      field('dec', { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }),
      field('decf', { type: 'fixed', name: 'dec8', size: 8, logicalType: 'decimal', precision: 18, scale: 4 }),
      field('id', { type: 'string', logicalType: 'uuid' }),
      field('again', 'md5'),
    ],
  };
  const rows = decoded(everyType, 5000);
  for (const [i, r] of rows.entries()) {
    assert.equal(r.ts, 1_764_460_800_000 + i, 'a hint-less timestamp is the time it was written');
    assert.equal(r.tus, (1_764_460_800_000 + i) * 1000);
    assert.match(r.id as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(['RED', 'GREEN', 'BLUE'].includes(r.e as string));
    assert.equal((r.fx as Buffer).length, 16);
    assert.equal((r.again as Buffer).length, 16);
  }
  assert.ok(new Set(rows.map((r) => JSON.stringify(r.u === null ? null : typeof r.u))).size >= 2, 'union branches');
});

test('bad hints: every problem at once, each naming the field and what is allowed', () => {
  const bad = {
    type: 'record',
    name: 'bad',
    fields: [
      field('a', hinted('int', { range: { min: 5, max: 1 } })),
      field('b', hinted('string', { odds: 0.5 })),
      field('c', hinted('boolean', { odds: 2 })),
      field('d', hinted('long', { iteration: { start: 0, step: 0 } })),
      field('e', hinted('string', { options: [] })),
      field('f', hinted('string', { length: { min: -1 } })),
      field('g', hinted('int', { iteration: { start: 5, restart: 5 } })),
    ],
  };
  const { plan, problems } = compileRecordPlan(bad, new Sfc32(1));
  assert.equal(plan, undefined);
  assert.deepEqual(problems, [
    'field a: range.min must be below range.max (got 5 and 1)',
    "field b: 'odds' is not a hint for string (allowed: options, length, regex, prefix, suffix, iteration)",
    'field c: odds must be a number from 0 to 1 (got 2)',
    'field d: iteration.step must not be 0',
    'field e: options must be a non-empty list of values (a file of options is not supported)',
    'field f: length must be {"min": …, "max": …} (at least one; whole numbers from 0), got {"min":-1}',
    'field g: iteration.restart must differ from its start',
  ]);
  const option = compileRecordPlan(
    { type: 'record', name: 'o', fields: [field('x', hinted('int', { options: [1, 'two'] }))] },
    new Sfc32(1),
  );
  assert.deepEqual(option.problems, ['field x: options[1] "two" is not a int']);
  assert.match(
    compileRecordPlan({ type: 'record', name: 'r' }, new Sfc32(1)).problems[0],
    /^not a valid Avro schema: /,
  );
  assert.deepEqual(compileRecordPlan('string', new Sfc32(1)).problems, ['the schema must be a record (got string)']);
});

test("schema files with comments read as Avro's Java parser reads them (kafka-connect-datagen's have them)", () => {
  const text = `{
    "type": "record", "name": "c", // a line comment
    /* a block
       comment */ "fields": [{"name": "url", "type": "string", "doc": "http://x // not a comment"}]
  }`;
  const schema = JSON.parse(withoutComments(text));
  assert.equal(schema.fields[0].doc, 'http://x // not a comment');
  assert.equal(withoutComments(text).split('\n').length, text.split('\n').length, 'line numbers kept');
});

test('--format json: the same records as JSON text, hints holding, iterations stepping, every type plain', () => {
  const { plan } = compileRecordPlan(ORDERS, new Sfc32(3), { field: 'orderid' }, 'json');
  assert.ok(plan?.json);
  const buf = Buffer.alloc(plan.maxMessage);
  const key = { bytes: Buffer.alloc(plan.maxKey), at: 0 };
  for (let i = 0; i < 20_000; i++) {
    key.at = 0;
    const end = plan.write(buf, 0, i, 1_764_460_800_000, new Sfc32(i), 0, key);
    const r = JSON.parse(buf.toString('utf8', 0, end));
    assert.equal(r.orderid, i, 'iteration steps with the message number');
    assert.equal(key.bytes.toString('utf8', 0, key.at), String(i), 'the key is the key field');
    assert.equal(r.seq, `S-${100 + 5 * i}`);
    assert.ok(['MALE', 'FEMALE', 'OTHER'].includes(r.gender));
    assert.ok(r.orderunits >= 0.1 && r.orderunits < 10);
    assert.ok(typeof r.price === 'number' && r.price >= 10 && r.price < 50, `decimal as a number: ${r.price}`);
    assert.equal(typeof r.address.zipcode, 'number');
    assert.equal(Object.keys(r.attrs).length, 2);
  }
  const every = JSON.parse(
    withoutComments(fs.readFileSync(path.join(ROOT, 'schemas/examples/every-type.avsc'), 'utf8')),
  ) as { fields: { name: string }[] };
  const everyPlan = compileRecordPlan(every, new Sfc32(5), undefined, 'json').plan;
  assert.ok(everyPlan);
  const out = Buffer.alloc(everyPlan.maxMessage);
  const kinds = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const r = JSON.parse(out.toString('utf8', 0, everyPlan.write(out, 0, i, 1_764_460_800_000, new Sfc32(i))));
    assert.deepEqual(
      Object.keys(r),
      every.fields.map((f) => f.name),
      'every field, in order',
    );
    assert.equal(Buffer.from(r.fx, 'base64').length, 16, 'fixed as base64');
    assert.ok(['RED', 'GREEN', 'BLUE'].includes(r.e));
    assert.equal(r.ts, 1_764_460_800_000, 'a write-time timestamp as its number');
    assert.equal(typeof r.dec, 'number');
    kinds.add(r.u === null ? 'null' : Array.isArray(r.u) ? 'array' : typeof r.u);
  }
  assert.deepEqual([...kinds].sort(), ['array', 'null', 'number', 'string'], 'union values unwrapped');
});
