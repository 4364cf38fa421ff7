import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateStormOptions } from '../../src/storm/options.js';
import { leaseChunk } from '../../src/coord/quota.js';

test('valid options give no problems', () => {
  assert.deepEqual(validateStormOptions({ count: '100', sentiment: '50,30,20', volatility: '0.8', mode: 'volatile', acks: 'all', rate: '0' }), []);
});

test('every bad option is reported, not just the first', () => {
  const p = validateStormOptions({ count: '0', sentiment: '10,10,10', volatility: '-1', mode: 'x', acks: '3', compression: 'lzma' });
  assert.equal(p.length, 6);
  for (const name of ['--count', '--sentiment', '--volatility', '--mode', '--acks', '--compression']) assert.ok(p.some((l) => l.startsWith(name)), name);
});

test('percentages may be fractional but must add to 100', () => {
  assert.deepEqual(validateStormOptions({ sentiment: '33.3,33.3,33.4' }), []);
  assert.equal(validateStormOptions({ sentiment: '33.3,33.3,33.3' }).length, 1);
});

test('lease chunks are a tenth of a second of a child\'s share, at most a batch', () => {
  assert.equal(leaseChunk(8000, 0, 2), 8000);
  assert.equal(leaseChunk(8000, 20_000, 2), 1000);
  assert.equal(leaseChunk(8000, 10_000_000, 2), 8000);
  assert.equal(leaseChunk(8000, 5, 2), 1);
});
