/**
 * Which schema a storm writes, and every refusal a typed error with its exit code: an invalid Avro schema, bad hints
 * and key fields (SCHEMA, exit 8), flags that do not fit the schema (INVALID_OPTION, exit 2); framing per kind.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DataStormError } from '../../../src/errors.js';
import { frameFor, loadStormSchema, type SchemaChoice, schemaLoads } from '../../../src/generate/storm-schema.js';
import { Sfc32 } from '../../../src/random.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const at = (file: string) => path.join(ROOT, file);
const choice = (over: Partial<SchemaChoice>): SchemaChoice => ({
  keys: { kind: 'none' },
  format: 'avro',
  tweetFlags: [],
  maxDepth: 8,
  ...over,
});

function refusal(over: Partial<SchemaChoice>): { code: string; message: string } {
  try {
    loadStormSchema(choice(over));
  } catch (e) {
    assert.ok(e instanceof DataStormError, `a typed error, not ${(e as Error).name}: ${(e as Error).message}`);
    return { code: e.code, message: e.message };
  }
  throw new Error('not refused');
}

test('the kinds: tweets by default, a record schema, a Protobuf message; full names for the subject strategies', () => {
  const tweet = loadStormSchema(choice({}));
  assert.equal(tweet.kind, 'tweet');
  const orders = loadStormSchema(choice({ schema: at('schemas/datagen/orders_schema.avro'), keyField: 'orderid' }));
  assert.deepEqual([orders.kind, orders.fullName], ['record', 'ksql.orders']);
  const clicks = loadStormSchema(choice({ proto: at('schemas/examples/clicks.proto'), message: 'Click' }));
  assert.deepEqual([clicks.kind, clicks.fullName], ['proto', 'datastorm.examples.Click']);
  assert.deepEqual([...frameFor(orders, 258)], [0, 0, 0, 1, 2]);
  assert.deepEqual([...frameFor(clicks, 258)], [0, 0, 0, 1, 2, 2, 2], 'Protobuf: the message indexes follow');
});

test('refusals: typed, with their exit codes and one line each', () => {
  assert.deepEqual(refusal({ schema: at('test/fixtures/not-avro.avsc') }), {
    code: 'SCHEMA',
    message: `--schema ${at('test/fixtures/not-avro.avsc')}: not a valid Avro schema: undefined type name: integer`,
  });
  assert.equal(refusal({ schema: at('test/fixtures/bad-hints.avsc') }).code, 'SCHEMA');
  assert.equal(
    refusal({ quickstart: 'orders', schema: at('schemas/datagen/orders_schema.avro'), keyField: 'x' }).code,
    'SCHEMA',
  );
  assert.equal(refusal({ format: 'json' }).code, 'INVALID_OPTION');
  assert.equal(refusal({ keyField: 'user' }).code, 'INVALID_OPTION');
  assert.equal(
    refusal({ schema: at('schemas/examples/every-type.avsc'), tweetFlags: ['mode'] }).code,
    'INVALID_OPTION',
  );
  assert.equal(refusal({ proto: at('schemas/examples/clicks.proto'), message: 'Nope' }).code, 'SCHEMA');
  assert.equal(
    refusal({ proto: at('schemas/examples/clicks.proto'), message: 'Click', format: 'json' }).code,
    'INVALID_OPTION',
  );
  assert.equal(
    refusal({ schema: at('schemas/examples/every-type.avsc'), format: 'json', registry: {} }).code,
    'INVALID_OPTION',
  );
});

test('a process loads a schema choice once; a child with draws of its own compiles it once, with its plan', () => {
  const orders = choice({ schema: at('schemas/datagen/orders_schema.avro') });
  const before = schemaLoads();
  const first = loadStormSchema(orders);
  const again = loadStormSchema({ ...orders });
  assert.equal(again, first, 'the CLI and the engine share one load');
  assert.equal(schemaLoads() - before, 1);
  const child = loadStormSchema(orders, new Sfc32(7));
  assert.equal(schemaLoads() - before, 2, "a child's own load");
  assert.ok(child.kind === 'record' && child.plan, 'compiled once, the plan kept with the schema');
});
