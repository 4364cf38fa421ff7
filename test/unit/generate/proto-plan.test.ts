/**
 * Protobuf messages compiled into a record plan: every message decodes with protobufjs with every field of its type
 * (oneof members both drawn, enums among their values, nested messages, repeated and map fields), the key field's
 * text is its value; Confluent's message-index bytes; bad files and names named in one line.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileProtoPlan, loadProto, messageIndexBytes } from '../../../src/generate/proto-plan.js';
import { Sfc32 } from '../../../src/random.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const CLICKS = path.join(ROOT, 'schemas/examples/clicks.proto');

test('every message decodes with every field of its type; the key is the key field', () => {
  const { schema, problems } = loadProto(CLICKS, 'datastorm.examples.Click');
  assert.deepEqual(problems, []);
  assert.ok(schema);
  assert.deepEqual(schema.indexes, [1], 'Click is the second message of the file (Page is the first)');
  const { plan } = compileProtoPlan(schema, new Sfc32(1), { field: 'user_id' });
  assert.ok(plan);
  const out = Buffer.alloc(plan.maxMessage);
  const key = { bytes: Buffer.alloc(plan.maxKey), at: 0 };
  const targets = new Set<string>();
  const devices = new Set<number>();
  for (let i = 0; i < 5000; i++) {
    key.at = 0;
    const end = plan.write(out, 0, i, Date.now(), new Sfc32(i), 0, key);
    const m = schema.type.toObject(schema.type.decode(out.subarray(0, end)), { defaults: true, oneofs: true }) as {
      user_id: string;
      page: { path: string } | null;
      tags: string[];
      counters: Record<string, number>;
      target?: string;
      device: number;
    };
    assert.equal(key.bytes.toString('utf8', 0, key.at), m.user_id);
    assert.match(m.user_id, /^[A-Za-z0-9]{8,16}$/);
    assert.ok(m.page && typeof m.page.path === 'string');
    assert.ok(m.tags.length >= 1 && m.tags.length <= 4);
    assert.ok(Object.keys(m.counters).length >= 1);
    if (m.target) targets.add(m.target);
    devices.add(m.device);
  }
  assert.deepEqual([...targets].sort(), ['button', 'link'], 'both oneof members drawn');
  assert.deepEqual([...devices].sort(), [0, 1, 2]);
});

test("Confluent's message indexes: [0] as one byte, others as a count and zig-zag varints", () => {
  assert.deepEqual([...messageIndexBytes([0])], [0]);
  assert.deepEqual([...messageIndexBytes([1])], [2, 2]);
  assert.deepEqual([...messageIndexBytes([2, 1])], [4, 4, 2]);
});

test('bad files, names and key fields: one line naming --proto, --message or --key-field', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-proto-'));
  const bad = path.join(dir, 'bad.proto');
  fs.writeFileSync(bad, 'syntax = "proto3"; message A { strin x = 1; }');
  assert.match(loadProto(bad, 'A').problems[0], /^--proto .*bad\.proto: not a valid \.proto file: /);
  assert.match(loadProto(path.join(dir, 'none.proto'), 'A').problems[0], /cannot read it \(no such file\)/);
  assert.deepEqual(loadProto(CLICKS, 'Nope').problems, [
    `--message Nope: no message of that name in ${CLICKS} (it has: datastorm.examples.Page, datastorm.examples.Click)`,
  ]);
  const { schema } = loadProto(CLICKS, 'Click');
  assert.ok(schema);
  assert.deepEqual(compileProtoPlan(schema, new Sfc32(1), { field: 'tags' }).problems, [
    '--key-field tags: the key field must be a string or integer field, not repeated',
  ]);
  assert.deepEqual(compileProtoPlan(schema, new Sfc32(1), { field: 'nope' }).problems, [
    '--key-field nope: Click has no field of that name',
  ]);
});
