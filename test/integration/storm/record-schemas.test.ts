/**
 * Storms of any Avro record schema, read back by an independent reader (Python's fastavro through confluent-kafka):
 * every kafka-connect-datagen quickstart decodes with every hint holding and its key the key field's value; orders
 * over 100,000 records round-trip byte for byte with orderid strictly stepping over the run; a schema of every Avro
 * type and logical type round-trips; --keys with --key-field puts the drawn key in the field; the refusals.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { QUICKSTARTS, quickstart } from '../../../src/generate/quickstarts.js';
import { withoutComments } from '../../../src/generate/schema-json.js';
import { readSchemaTree } from '../../../src/generate/schema-tree.js';
import { HintCheck } from '../../helpers/hint-check.js';
import { type ReadRecord, readRecords } from '../../helpers/py-reader.js';
import { ROOT, run, uniqueTopic } from '../../helpers/services.js';
import { stormArgs, stormJson } from '../../helpers/storm-cli.js';

const schemaJson = (file: string) => JSON.parse(withoutComments(fs.readFileSync(file, 'utf8')));

/** The records' problems: undecodable ones, hints not held, keys not the key field's value. */
function problemsOf(records: ReadRecord[], schema: unknown, keyField?: string): string[] {
  const { root } = readSchemaTree(schema);
  assert.ok(root);
  const check = new HintCheck(root);
  const problems: string[] = [];
  for (const r of records) {
    if (r.error !== undefined) problems.push(`undecodable: ${r.error}`);
    else check.record(r.value);
    if (keyField && r.value && r.key !== String(r.value[keyField])) problems.push(`key ${r.key} ≠ ${keyField}`);
    if (problems.length > 5) break;
  }
  return [...problems, ...check.finish()];
}

test("every datagen quickstart: fastavro decodes every record, hints hold, keys are the key field's", async (t) => {
  const count = 2000;
  for (const name of Object.keys(QUICKSTARTS)) {
    const chosen = quickstart(name);
    assert.ok(chosen);
    const topic = uniqueTopic(`qs-${name.replace(/_/g, '-')}`);
    const { report } = await stormJson([
      '--quickstart',
      name,
      '--count',
      String(count),
      '--workers',
      '1',
      '--topic',
      topic,
    ]);
    assert.equal(report.acknowledged, count, name);
    assert.equal(report.sentiment, null, 'records, not tweets: no sentiment section');
    assert.equal(report.record?.keyField, chosen.keyField);
    const records = await readRecords(topic, schemaJson(chosen.schema));
    assert.equal(records.length, count, `${name}: every acknowledged record read back`);
    assert.deepEqual(problemsOf(records, schemaJson(chosen.schema), chosen.keyField), [], name);
  }
  t.diagnostic(`${Object.keys(QUICKSTARTS).length} quickstarts × ${count} records`);
});

test('orders, 100,000 records: byte-for-byte round trips, orderid stepping over the run, hints hold', async () => {
  const topic = uniqueTopic('qs-orders-100k');
  const n = 100_000;
  const { report } = await stormJson([
    '--quickstart',
    'orders',
    '--count',
    String(n),
    '--workers',
    '2',
    '--topic',
    topic,
  ]);
  assert.equal(report.acknowledged, n);
  const schema = schemaJson(path.join(ROOT, 'schemas/datagen/orders_schema.avro'));
  const records = await readRecords(topic, schema, { roundtrip: true });
  assert.equal(records.length, n);
  assert.equal(records.filter((r) => r.same !== true).length, 0, 'fastavro writes every value back to the same bytes');
  const ids = records.map((r) => r.value?.orderid as number).sort((a, b) => a - b);
  assert.deepEqual([ids[0], ids[n - 1], new Set(ids).size], [0, n - 1, n], 'orderid: each of 0..n-1 once');
  assert.deepEqual(problemsOf(records, schema, 'orderid'), []);
});

test('every Avro type and logical type round-trips through fastavro', async () => {
  const topic = uniqueTopic('every-type');
  const file = path.join(ROOT, 'schemas/examples/every-type.avsc');
  await stormJson(['--schema', file, '--count', '5000', '--workers', '1', '--topic', topic]);
  const records = await readRecords(topic, schemaJson(file), { roundtrip: true });
  assert.equal(records.length, 5000);
  assert.deepEqual(
    records.filter((r) => r.error !== undefined || r.same !== true).slice(0, 3),
    [],
    'every record decodes and re-encodes to its bytes',
  );
  const unionKinds = new Set(records.map((r) => typeof r.value?.u));
  assert.ok(unionKinds.size >= 2, `union branches drawn: ${[...unionKinds]}`);
});

test('a recursive tree at --max-depth 3: fastavro decodes and re-encodes every record, none deeper', async () => {
  const topic = uniqueTopic('tree');
  const schema = {
    type: 'record',
    name: 'Tree',
    fields: [
      { name: 'label', type: 'string' },
      { name: 'children', type: { type: 'array', items: 'Tree' } },
      { name: 'parent', type: ['null', 'Tree'] },
    ],
  };
  const file = path.join(fs.mkdtempSync(path.join(ROOT, '.run/tree-')), 'tree.avsc');
  fs.writeFileSync(file, JSON.stringify(schema));
  await stormJson(['--schema', file, '--max-depth', '3', '--count', '2000', '--workers', '1', '--topic', topic]);
  const records = await readRecords(topic, schema, { roundtrip: true });
  assert.equal(records.length, 2000);
  assert.deepEqual(records.filter((r) => r.error !== undefined || r.same !== true).slice(0, 3), []);
  type Tree = { children: Tree[]; parent: Tree | null };
  const depth = (t: Tree): number =>
    Math.max(0, ...[...t.children, ...(t.parent ? [t.parent] : [])].map((c) => 1 + depth(c)));
  const depths = records.map((r) => depth(r.value as unknown as Tree));
  assert.equal(Math.max(...depths), 3, 'the deepest record reaches --max-depth and no further');
  fs.rmSync(path.dirname(file), { recursive: true });
});

test('--keys with --key-field: the field carries the drawn key, and the message key is its text', async () => {
  const topic = uniqueTopic('users-keyed');
  await stormJson([
    '--quickstart',
    'users',
    '--keys',
    'zipf:50:1',
    '--count',
    '20000',
    '--workers',
    '1',
    '--topic',
    topic,
  ]);
  const records = await readRecords(topic, schemaJson(path.join(ROOT, 'schemas/datagen/users_schema.avro')));
  assert.equal(records.length, 20_000);
  const keys = new Map<string, number>();
  for (const r of records) {
    assert.equal(r.key, r.value?.userid, 'message key = userid');
    keys.set(String(r.key), (keys.get(String(r.key)) ?? 0) + 1);
  }
  assert.ok(keys.size <= 50 && keys.size > 30, `${keys.size} distinct keys`);
  const top = Math.max(...keys.values()) / 20_000;
  assert.ok(Math.abs(top - 0.222) < 0.03, `zipf:50:1's top key takes 1/H(50) = 22.2%: ${top}`);
});

test('--format json: the records as JSON, parsed by Python, hints holding, keys the key field', async () => {
  for (const name of ['orders', 'users_array_map', 'shoes', 'pageviews']) {
    const chosen = quickstart(name);
    assert.ok(chosen);
    const topic = uniqueTopic(`json-${name.replace(/_/g, '-')}`);
    const flags = ['--quickstart', name, '--format', 'json', '--count', '3000', '--workers', '1', '--topic', topic];
    const { report } = await stormJson(flags);
    assert.equal(report.record?.format, 'json');
    const records = await readRecords(topic, null, { json: true });
    assert.equal(records.length, 3000, name);
    assert.deepEqual(problemsOf(records, schemaJson(chosen.schema), chosen.keyField), [], name);
  }
});

test('refusals: tweet-only flags, a bad hint, a missing key field, an unknown quickstart', async () => {
  const cases: [string[], number, RegExp][] = [
    [
      ['--quickstart', 'orders', '--mode', 'volatile', '--brands', 'Nike'],
      2,
      /--mode, --brands only mean something for tweets/,
    ],
    [['--quickstart', 'orders', '--key-field', 'nope'], 8, /--key-field nope: the schema has no top-level field/],
    [
      ['--quickstart', 'orders', '--key-field', 'address'],
      8,
      /key field must be a top-level string, int, long or enum/,
    ],
    [['--quickstart', 'nope'], 2, /--quickstart must be one of .*orders/],
    [['--quickstart', 'orders', '--schema', 'x.avsc'], 2, /--quickstart and --schema both name a schema/],
    [['--key-field', 'user'], 2, /a key field is for record schemas/],
    [['--format', 'json'], 2, /--format json is for record schemas/],
    [['--format', 'xml'], 2, /--format must be avro or json \(got 'xml'\)/],
    [
      ['--quickstart', 'orders', '--format', 'json', '--schema-registry', 'http://127.0.0.1:1'],
      2,
      /JSON Schema framing/,
    ],
  ];
  for (const [flags, code, message] of cases) {
    const r = await run(process.execPath, stormArgs([...flags, '--count', '10']));
    assert.equal(r.code, code, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});
