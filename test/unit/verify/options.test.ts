import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseVerifyOptions } from '../../../src/verify/options.js';

test('verify: a bad topic and a bad bootstrap are both reported', () => {
  const { problems } = parseVerifyOptions({ topic: 'no such', bootstrap: 'x' });
  assert.deepEqual(problems, [
    "--bootstrap must be host:port[,host:port…] (got 'x')",
    "--topic must be 1-249 characters of letters, digits, '.', '_' or '-' (got 'no such')",
  ]);
});

test('verify: --run and --schema pass through; the topic defaults to tweets', () => {
  assert.deepEqual(parseVerifyOptions({ run: 'r1', schema: '/s.avsc' }).request, {
    bootstrap: undefined,
    client: {},
    topic: 'tweets',
    runId: 'r1',
    schema: '/s.avsc',
    registry: undefined,
    thresholds: [],
  });
});
