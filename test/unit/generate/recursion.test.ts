/**
 * Every schema Avro allows, recursive ones too: a record inside itself through a union, an array, a map or another
 * record is generated to at most --max-depth levels and MAX_RECURSIVE_COPIES copies, every message decoding with
 * avsc; a record whose every value would contain itself without end is refused naming its fields; a union branch that
 * has no finite value is never drawn. The same for Protobuf: recursive messages bounded, deep non-recursive nesting
 * written whole. A schema of 10,000 fields compiles and every field is in every message.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import avro from 'avsc';
import fc from 'fast-check';
import { compileProtoPlan, loadProto } from '../../../src/generate/proto-plan.js';
import { compileRecordPlan, type RecordPlan } from '../../../src/generate/record-plan.js';
import { DEFAULT_MAX_DEPTH, MAX_RECURSIVE_COPIES } from '../../../src/generate/recursion.js';
import { Sfc32 } from '../../../src/random.js';
import { fuzzSettings, reportFuzz } from '../../helpers/fuzz.js';

const LIST = {
  type: 'record',
  name: 'Node',
  fields: [
    { name: 'value', type: 'int' },
    { name: 'next', type: ['null', 'Node'] },
  ],
};
const TREE = {
  type: 'record',
  name: 'Tree',
  fields: [
    { name: 'label', type: 'string' },
    { name: 'children', type: { type: 'array', items: 'Tree' } },
  ],
};
/** A and B inside each other, through a union and a map's values. */
const MUTUAL = {
  type: 'record',
  name: 'A',
  fields: [
    {
      name: 'b',
      type: {
        type: 'record',
        name: 'B',
        fields: [
          { name: 'a', type: ['null', 'A'] },
          { name: 'm', type: { type: 'map', values: 'A' } },
        ],
      },
    },
  ],
};

function messages(schema: unknown, n: number, maxDepth = DEFAULT_MAX_DEPTH, format: 'avro' | 'json' = 'avro') {
  const { plan, problems } = compileRecordPlan(schema, new Sfc32(3), undefined, format, maxDepth);
  assert.deepEqual(problems, []);
  const type = avro.Type.forSchema(schema as avro.Schema);
  const buf = Buffer.alloc((plan as RecordPlan).maxMessage);
  const rng = new Sfc32(5);
  return Array.from({ length: n }, (_, i) => {
    const bytes = buf.subarray(0, (plan as RecordPlan).write(buf, 0, i, Date.now(), rng));
    return format === 'json' ? JSON.parse(bytes.toString()) : type.fromBuffer(bytes);
  });
}

// biome-ignore lint/suspicious/noExplicitAny: decoded values of the test's own schemas, walked by their known shape
type Decoded = any;

/** How many times a value nests inside itself along its deepest path, and how many copies it holds in all. */
function nesting(value: unknown, step: (v: Decoded) => unknown[]): { depth: number; copies: number } {
  const inner = step(value);
  let depth = 0;
  let copies = inner.length;
  for (const v of inner) {
    const n = nesting(v, step);
    depth = Math.max(depth, n.depth + 1);
    copies += n.copies;
  }
  return { depth, copies };
}

const listNext = (v: Decoded) => (v.next ? [v.next] : []);
const treeChildren = (v: Decoded) => v.children;
const mutualInner = (v: Decoded) => [...(v.b.a ? [v.b.a] : []), ...Object.values(v.b.m)];

test('a linked list nests at most --max-depth levels, and reaches them', () => {
  for (const maxDepth of [1, 3, DEFAULT_MAX_DEPTH]) {
    const depths = messages(LIST, 5000, maxDepth).map((m) => nesting(m, listNext).depth);
    assert.equal(Math.max(...depths), maxDepth, `--max-depth ${maxDepth}`);
  }
});

test('a tree (an array of itself) stays within the depth and the copies a value may hold', () => {
  for (const m of messages(TREE, 300)) {
    const n = nesting(m, treeChildren);
    assert.ok(n.depth <= DEFAULT_MAX_DEPTH, `depth ${n.depth}`);
    assert.ok(n.copies <= MAX_RECURSIVE_COPIES + DEFAULT_MAX_DEPTH, `copies ${n.copies}`);
  }
});

test('records inside each other through a union and a map, in Avro and in JSON', () => {
  for (const format of ['avro', 'json'] as const)
    for (const m of messages(MUTUAL, 300, 4, format)) assert.ok(nesting(m, mutualInner).depth <= 4, format);
});

test('a record with no finite value is refused naming the fields that hold it in', () => {
  const forced = { type: 'record', name: 'R', fields: [{ name: 'r', type: 'R' }] };
  const atLeastOne = {
    type: 'record',
    name: 'T',
    fields: [{ name: 'kids', type: { type: 'array', items: 'T', 'arg.properties': { length: { min: 1, max: 3 } } } }],
  };
  const onlySelf = { type: 'record', name: 'U', fields: [{ name: 'u', type: ['U'] }] };
  for (const [schema, name, fields] of [
    [forced, 'R', 'field r always contains'],
    [atLeastOne, 'T', 'field kids always contains'],
    [onlySelf, 'U', 'field u always contains'],
  ] as const) {
    const { problems } = compileRecordPlan(schema, new Sfc32(1));
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.match(problems[0], new RegExp(`^the record \\(${name}\\) has no finite value: its ${fields} it again`));
  }
});

test('a union branch with no finite value is never drawn; the other branch always is', () => {
  const schema = {
    type: 'record',
    name: 'Outer',
    fields: [{ name: 'x', type: ['null', { type: 'record', name: 'S', fields: [{ name: 's', type: 'S' }] }] }],
  };
  assert.ok(messages(schema, 1000).every((m) => m.x === null));
});

test('Protobuf: a recursive message is bounded; deep nesting that does not recur is written whole', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-proto-'));
  const file = path.join(dir, 'deep.proto');
  fs.writeFileSync(
    file,
    `syntax = "proto3";
     message Tree { string label = 1; repeated Tree children = 2; Tree parent = 3; }
     message L1 { L2 l2 = 1; } message L2 { L3 l3 = 1; } message L3 { L4 l4 = 1; } message L4 { L5 l5 = 1; }
     message L5 { string leaf = 1; }`,
  );
  for (const [message, check] of [
    ['Tree', (v: Decoded) => nesting(v, (t) => [...(t.children ?? []), ...(t.parent ? [t.parent] : [])]).depth <= 3],
    ['L1', (v: Decoded) => typeof v.l2?.l3?.l4?.l5?.leaf === 'string' && v.l2.l3.l4.l5.leaf.length > 0],
  ] as const) {
    const { schema } = loadProto(file, message);
    assert.ok(schema);
    const { plan, problems } = compileProtoPlan(schema, new Sfc32(2), undefined, 3);
    assert.deepEqual(problems, []);
    const buf = Buffer.alloc((plan as RecordPlan).maxMessage);
    for (let i = 0; i < 300; i++) {
      const bytes = buf.subarray(0, (plan as RecordPlan).write(buf, 0, i, Date.now(), new Sfc32(i)));
      assert.ok(check(schema.type.toObject(schema.type.decode(bytes))), `${message} message ${i}`);
    }
  }
  fs.rmSync(dir, { recursive: true });
});

test('10,000 fields: compiled, and every field in every message', () => {
  const types = ['int', 'long', 'string', 'double', 'boolean', ['null', 'string'], { type: 'array', items: 'int' }];
  const schema = {
    type: 'record',
    name: 'Wide',
    fields: Array.from({ length: 10_000 }, (_, i) => ({ name: `f${i}`, type: types[i % types.length] })),
  };
  for (const m of messages(schema, 20)) assert.equal(Object.keys(m).length, 10_000);
});

test('generated recursive schemas: compiled with every message within the depth, or refused as endless', () => {
  const { seed, runs } = fuzzSettings(40);
  /** A field's type: plain, or R again through a union, an array, a map, a nested record, or directly. */
  const fieldType = fc.constantFrom<unknown>(
    'int',
    'string',
    ['null', 'R'],
    ['R', 'null'],
    { type: 'array', items: 'R' },
    { type: 'array', items: 'R', 'arg.properties': { length: { min: 1, max: 2 } } },
    { type: 'map', values: 'R' },
    'R',
  );
  const schemas = fc.sample(
    fc.tuple(fc.array(fieldType, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 6 })),
    { seed, numRuns: runs },
  );
  let compiled = 0;
  let refused = 0;
  for (const [types, maxDepth] of schemas) {
    const schema = { type: 'record', name: 'R', fields: types.map((type, i) => ({ name: `f${i}`, type })) };
    const { problems } = compileRecordPlan(schema, new Sfc32(1), undefined, 'avro', maxDepth);
    // Endless exactly when no field can end: 'R' itself, or an array of R that must hold one, with nothing else.
    const endless = types.some((t) => t === 'R' || (typeof t === 'object' && 'arg.properties' in (t as object)));
    if (endless) {
      refused++;
      assert.match(problems[0] ?? '', /has no finite value/, JSON.stringify(schema));
      continue;
    }
    compiled++;
    const inner = (v: Decoded): unknown[] =>
      Object.values(v).flatMap((x: Decoded) =>
        x === null || typeof x !== 'object' ? [] : Array.isArray(x) ? x : 'f0' in x ? [x] : Object.values(x),
      );
    for (const m of messages(schema, 30, maxDepth)) assert.ok(nesting(m, inner).depth <= maxDepth);
  }
  assert.ok(compiled > 0 && refused > 0, `${compiled} compiled, ${refused} refused`);
  reportFuzz('recursive Avro schemas', schemas.length, `${compiled} compiled, ${refused} refused as endless`);
});
