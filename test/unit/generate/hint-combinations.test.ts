/**
 * Every combination of generator hints is honoured together or refused by field with the reason, never one silently
 * dropped: generated sets of valid hints on every type compile into plans whose every value holds to every hint (held
 * by the same checker the fastavro tests use), or are refused naming the field and the hints that would be ignored.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import avro from 'avsc';
import fc from 'fast-check';
import { compileRecordPlan, type RecordPlan } from '../../../src/generate/record-plan.js';
import { readSchemaTree } from '../../../src/generate/schema-tree.js';
import { Sfc32 } from '../../../src/random.js';
import { fuzzSettings, reportFuzz } from '../../helpers/fuzz.js';
import { HintCheck } from '../../helpers/hint-check.js';

/** Valid values of each hint for a type, so that only their combination can be wrong. */
const HINTS: Record<string, Record<string, unknown[]>> = {
  int: { options: [[1, 2, 3]], range: [{ min: 5, max: 50 }], iteration: [{ start: 0 }, { start: 10, step: 5 }] },
  double: { options: [[0.5, 1.5]], range: [{ min: -1, max: 1 }], iteration: [{ start: 0.5, step: 0.25 }] },
  boolean: { options: [[true]], odds: [0.2], iteration: [{ start: true }] },
  string: {
    options: [['a', 'b']],
    length: [4, { min: 2, max: 6 }],
    regex: ['[a-z]{3,9}', 'id-[0-9]{2}'],
    prefix: ['p-'],
    suffix: ['-s'],
    iteration: [{ start: 100 }],
  },
  bytes: { length: [{ min: 1, max: 4 }, 3] },
};

const hintSet = fc
  .constantFrom(...Object.keys(HINTS))
  .chain((type) =>
    fc
      .subarray(Object.keys(HINTS[type]), { minLength: 1 })
      .chain((names) =>
        fc
          .tuple(...names.map((n) => fc.constantFrom(...HINTS[type][n])))
          .map((values) => ({ type, hints: Object.fromEntries(names.map((n, i) => [n, values[i]])) })),
      ),
  );

test('generated hint combinations: honoured together in every value, or refused naming the field and why', () => {
  const { seed, runs } = fuzzSettings(150);
  let honoured = 0;
  let refused = 0;
  for (const { type, hints } of fc.sample(hintSet, { seed, numRuns: runs })) {
    const schema = { type: 'record', name: 'R', fields: [{ name: 'f', type: { type, 'arg.properties': hints } }] };
    const { plan, problems } = compileRecordPlan(schema, new Sfc32(1));
    const what = JSON.stringify({ type, hints });
    if (!plan) {
      refused++;
      assert.ok(problems.length > 0, what);
      for (const p of problems) assert.match(p, /^field f: .*(would be ignored|cannot be honoured)/, what);
      continue;
    }
    honoured++;
    const root = readSchemaTree(schema).root;
    assert.ok(root);
    const check = new HintCheck(root);
    const avroType = avro.Type.forSchema(schema as avro.Schema);
    const buf = Buffer.alloc((plan as RecordPlan).maxMessage);
    const rng = new Sfc32(9);
    for (let i = 0; i < 2000; i++)
      check.record(avroType.fromBuffer(buf.subarray(0, (plan as RecordPlan).write(buf, 0, i, Date.now(), rng))));
    assert.deepEqual(check.finish(), [], what);
  }
  assert.ok(honoured > 0 && refused > 0, `${honoured} honoured, ${refused} refused`);
  reportFuzz('generator hint combinations', runs, `${honoured} honoured, ${refused} refused`);
});
