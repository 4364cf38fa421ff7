import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidOptionsError } from '../../src/errors.js';
import { OptionChecks, toWhole, validOrThrow } from '../../src/option-checks.js';

test('whole numbers: strings and numbers in, NaN for anything else', () => {
  assert.equal(toWhole(' 42 '), 42);
  assert.equal(toWhole(7), 7);
  for (const v of ['12.5', 'ten', '', '1e3', undefined]) assert.ok(Number.isNaN(toWhole(v)), String(v));
});

test('checks return the value or record a problem; absent stays undefined without one', () => {
  const c = new OptionChecks();
  assert.equal(c.whole('n', '5', 1, 9), 5);
  assert.equal(c.whole('n', undefined, 1, 9), undefined);
  assert.equal(c.whole('big', '2000000', 1, 1_000_000), undefined);
  assert.equal(c.oneOf('mode', 'b', ['a', 'b'] as const), 'b');
  assert.equal(c.httpUrl('url', 'http://x:1/'), 'http://x:1');
  assert.deepEqual(c.problems, ["--big must be a whole number from 1 to 1,000,000 (got '2000000')"]);
});

test('validOrThrow: the options, or an InvalidOptionsError (exit 2) with every problem', () => {
  assert.equal(validOrThrow({ request: 1, problems: [] }), 1);
  assert.throws(
    () => validOrThrow({ problems: ['a', 'b'] }),
    (e: unknown) => e instanceof InvalidOptionsError && e.exitCode === 2 && e.problems.length === 2,
  );
});
