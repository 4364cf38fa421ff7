/**
 * Bad input through the real CLI: every problem on its own line, exit 2, no stack; unreachable services reported within
 * 10 s. Each option's own messages are unit-tested (test/unit/storm/options.test.ts) and the README's table runs
 * end to end (bad-input.test.ts).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrap, redisUrl, run } from '../../helpers/services.js';
import { CLI } from '../../helpers/storm-cli.js';

test('several bad options are all reported, one line each', async () => {
  const r = await run(process.execPath, [
    CLI,
    'storm',
    '--bootstrap',
    bootstrap(),
    '--volatility',
    '2',
    '--mode',
    'x',
    '--count',
    '0',
  ]);
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 3, r.stderr);
  assert.ok(lines.every((l) => l.startsWith('datastorm: error: --')));
});

test('an unreachable cluster is reported within 10 s, exit 3, no stack', async () => {
  const t0 = Date.now();
  const r = await run(process.execPath, [
    CLI,
    'storm',
    '--bootstrap',
    '127.0.0.1:1',
    '--redis',
    redisUrl(),
    '--count',
    '10',
  ]);
  assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
  assert.equal(r.code, 3);
  assert.match(r.stderr.trim(), /^datastorm: error: cannot reach Kafka at 127\.0\.0\.1:1 within \d+ s/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('an unreachable Redis is reported within 10 s, exit 4, no stack', async () => {
  const t0 = Date.now();
  const r = await run(process.execPath, [
    CLI,
    'storm',
    '--bootstrap',
    bootstrap(),
    '--redis',
    'redis://127.0.0.1:1',
    '--count',
    '10',
  ]);
  assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
  assert.equal(r.code, 4);
  assert.match(r.stderr.trim(), /^datastorm: error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 within \d+ s/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('a malformed --redis URL is a usage error', async () => {
  const r = await run(process.execPath, [
    CLI,
    'storm',
    '--bootstrap',
    bootstrap(),
    '--redis',
    'localhost:6379',
    '--count',
    '10',
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^datastorm: error: --redis must be a redis:\/\/ or rediss:\/\/ URL/);
});
