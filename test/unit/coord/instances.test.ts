import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_BARRIER_TIMEOUT_SEC, parseInstances } from '../../../src/coord/instances.js';
import { OptionChecks, type RawFlags } from '../../../src/option-checks.js';

const parse = (raw: RawFlags, env: Record<string, string> = {}) => {
  const checks = new OptionChecks();
  return { instances: parseInstances(checks, raw, env), problems: checks.problems };
};

test('instances: --instances with --instance, or the index a Kubernetes Indexed Job sets', () => {
  assert.deepEqual(parse({ instances: '3', instance: '2', 'run-id': 'r' }), {
    instances: { count: 3, index: 2, barrierTimeoutSec: DEFAULT_BARRIER_TIMEOUT_SEC },
    problems: [],
  });
  assert.equal(parse({ instances: '3', 'run-id': 'r' }, { JOB_COMPLETION_INDEX: '1' }).instances?.index, 1);
  assert.equal(
    parse({ instances: '3', instance: '0', 'run-id': 'r' }, { JOB_COMPLETION_INDEX: '1' }).instances?.index,
    0,
  );
  assert.deepEqual(parse({ instances: '1' }).instances, { count: 1, index: 0, barrierTimeoutSec: 60 });
  assert.equal(
    parse({ instances: '2', instance: '1', 'run-id': 'r', 'barrier-timeout': '5' }).instances?.barrierTimeoutSec,
    5,
  );
  assert.deepEqual(parse({}), { instances: undefined, problems: [] });
});

test('instances: every problem at once, each naming the flag and what is allowed', () => {
  assert.deepEqual(parse({ instance: '1', 'barrier-timeout': '5' }).problems, [
    '--instance needs --instances N (how many instances the run has)',
    '--barrier-timeout needs --instances N',
  ]);
  assert.deepEqual(parse({ instances: '3' }).problems, [
    '--instances needs --run-id NAME: the name every instance of the run gives',
    '--instances 3 needs --instance I (0 to N-1), or JOB_COMPLETION_INDEX (an Indexed Job sets it)',
  ]);
  const outOfRange = parse({ instances: '3', instance: '3', 'run-id': 'r', 'barrier-timeout': '0' }).problems;
  assert.equal(outOfRange.length, 2, outOfRange.join('\n'));
  assert.match(outOfRange[0], /^--barrier-timeout/);
  assert.equal(outOfRange[1], "--instance must be a whole number from 0 to 2 (got '3')");
  assert.deepEqual(parse({ instances: '3', 'run-id': 'r' }, { JOB_COMPLETION_INDEX: '7' }).problems, [
    "JOB_COMPLETION_INDEX must be a whole number from 0 to 2, this instance's index (got '7')",
  ]);
  assert.match(parse({ instances: '1001', instance: '0', 'run-id': 'r' }).problems[0], /^--instances must be/);
});
