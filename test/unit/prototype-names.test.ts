/**
 * Values typed as data stay data: every name a user types (a brand, a client setting in -X or a properties file, a
 * registry setting, a threshold's figure, a scenario file's key, a record field, a key field, a Protobuf field) drawn
 * from the properties of Object.prototype, Function.prototype and Array.prototype works like any other name: refused
 * as unknown where unknown names are refused, kept as an own key where names are kept, written where fields are.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { jsonOfAvro } from '../../src/generate/json-value.js';
import { compileProtoPlan, loadProto } from '../../src/generate/proto-plan.js';
import { compileRecordPlan, type RecordPlan } from '../../src/generate/record-plan.js';
import { readSchemaTree } from '../../src/generate/schema-tree.js';
import { parseClientConfig } from '../../src/kafka/client-config.js';
import { OptionChecks } from '../../src/option-checks.js';
import { Sfc32 } from '../../src/random.js';
import { parseRegistryOptions } from '../../src/registry/registry-options.js';
import { STORM_FIGURES } from '../../src/run/figures.js';
import { parseStormOptions, stormFlags } from '../../src/storm/options.js';
import { parseThresholds } from '../../src/thresholds/threshold.js';

const NAMES = [
  ...new Set([Object.prototype, Function.prototype, Array.prototype].flatMap((p) => Object.getOwnPropertyNames(p))),
].sort();
/** Those that are also Avro and Protobuf names (every one here, in fact: they are JavaScript identifiers). */
const IDENTIFIERS = NAMES.filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n));

const regexQuote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-names-'));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

test('the names drawn: dozens, __proto__ and constructor among them', () => {
  assert.ok(NAMES.length > 50 && NAMES.includes('__proto__') && NAMES.includes('constructor'), NAMES.join(' '));
  assert.equal(IDENTIFIERS.length, NAMES.length);
});

test('--brands: each name is an unknown brand', () => {
  for (const name of NAMES) {
    const { problems } = parseStormOptions({ brands: name });
    assert.equal(problems.length, 1, name);
    assert.match(problems[0], new RegExp(`^--brands must name brands from: .* \\(unknown: ${regexQuote(name)}\\)$`));
  }
});

test('-X and a properties file: each name is a setting of its own, never one DataStorm owns', () => {
  const file = write('names.properties', NAMES.map((n) => `${n}=from-file-${n}`).join('\n'));
  const checks = new OptionChecks();
  const { settings } = parseClientConfig(checks, { 'kafka-config': file, X: NAMES.slice(0, 20).map((n) => `${n}=x`) });
  assert.deepEqual(checks.problems, []);
  assert.deepEqual(Object.keys(settings).sort(), [...NAMES].sort());
  for (const [i, name] of NAMES.entries()) {
    assert.ok(Object.hasOwn(settings, name), name);
    assert.equal(settings[name], i < 20 ? 'x' : `from-file-${name}`, name);
  }
});

test('--registry-config: each name is an unknown setting', () => {
  const file = write('registry.properties', NAMES.map((n) => `${n}=1`).join('\n'));
  const checks = new OptionChecks();
  parseRegistryOptions(checks, { 'schema-registry': 'http://127.0.0.1:1', 'registry-config': file });
  assert.equal(checks.problems.length, NAMES.length);
  for (const name of NAMES)
    assert.ok(
      checks.problems.some((p) => p.includes(`unknown setting '${name}'`)),
      name,
    );
});

test("--threshold: each name is not a storm's figure", () => {
  for (const name of NAMES) {
    const { problems } = parseThresholds([`${name}<5`], STORM_FIGURES);
    assert.equal(problems.length, 1, name);
    assert.doesNotMatch(problems[0], /takes|undefined/, problems[0]);
  }
});

test('a scenario file: each name that is not a storm flag is refused as one', () => {
  const names = NAMES.filter((n) => !Object.hasOwn(stormFlags, n));
  assert.ok(names.length > 50);
  const file = write('names.yaml', names.map((n) => `${n}: 1`).join('\n'));
  const { problems } = parseStormOptions({ scenario: file });
  for (const name of names)
    assert.ok(
      problems.some((p) => p.includes(`'${name}' is not a storm flag`)),
      name,
    );
});

/**
 * Two records between them holding every name: avsc, which checks schemas, cannot build one with both __proto__ and
 * name (refused with that reason, below).
 */
const AVRO_NAME_SETS = [IDENTIFIERS.filter((n) => n !== '__proto__'), IDENTIFIERS.filter((n) => n !== 'name')];
/** Field j's type, and the JSON type its values take; the key field, constructor, a string. */
const avroType = (name: string, j: number) => (name === 'constructor' ? 'string' : ['int', 'string', 'boolean'][j % 3]);
const jsonType = (name: string, j: number) =>
  ({ int: 'number', string: 'string', boolean: 'boolean' })[avroType(name, j)];

test('an Avro record whose fields are these names: every field written, as Avro and as JSON; any as key', () => {
  for (const names of AVRO_NAME_SETS) {
    const schema = {
      type: 'record',
      name: 'Names',
      fields: names.map((name, i) => ({ name, type: avroType(name, i) })),
    };
    const root = readSchemaTree(schema).root;
    assert.ok(root);
    for (const format of ['avro', 'json'] as const) {
      const { plan, problems } = compileRecordPlan(schema, new Sfc32(1), { field: 'constructor' }, format);
      assert.deepEqual(problems, []);
      const buf = Buffer.alloc((plan as RecordPlan).maxMessage);
      const key = { bytes: Buffer.alloc(256), at: 0 };
      for (let i = 0; i < 50; i++) {
        key.at = 0;
        const bytes = buf.subarray(0, (plan as RecordPlan).write(buf, 0, i, Date.now(), new Sfc32(i), 0, key));
        const value = JSON.parse(format === 'json' ? bytes.toString() : jsonOfAvro(root, bytes));
        assert.deepEqual(Object.keys(value), names, format);
        for (const [j, name] of names.entries())
          assert.equal(typeof value[name], jsonType(name, j), `${format} ${name}`);
        assert.equal(key.bytes.subarray(0, key.at).toString(), String(value.constructor), 'the key is the field');
      }
    }
  }
  const both = { type: 'record', name: 'B', fields: ['__proto__', 'name'].map((name) => ({ name, type: 'int' })) };
  assert.match(compileRecordPlan(both, new Sfc32(1)).problems[0], /fields named both __proto__ and name: avsc/);
});

test('a Protobuf message whose fields are these names: every one usable as the key field', () => {
  const names = IDENTIFIERS.filter((n) => n !== '__proto__');
  const fields = names.map((name, i) => `  string ${name} = ${i + 1};`).join('\n');
  const file = write('names.proto', `syntax = "proto3";\nmessage Names {\n${fields}\n}\n`);
  const { schema, problems } = loadProto(file, 'Names');
  assert.deepEqual(problems, []);
  assert.ok(schema);
  for (const name of ['constructor', 'toString', 'hasOwnProperty', 'length', 'valueOf']) {
    const compiled = compileProtoPlan(schema, new Sfc32(1), { field: name });
    assert.deepEqual(compiled.problems, [], name);
  }
  assert.match(
    compileProtoPlan(schema, new Sfc32(1), { field: 'nosuchfield' }).problems[0],
    /Names has no field of that name/,
  );
  // protobufjs would drop a field named __proto__ without a word: refused, with why.
  const proto = write('proto.proto', 'syntax = "proto3";\nmessage P {\n  string __proto__ = 1;\n  string a = 2;\n}\n');
  assert.match(loadProto(proto, 'P').problems[0], /a field named __proto__: protobufjs/);
});
