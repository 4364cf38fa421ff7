import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProducerId, producerIdOf } from '../../../src/generate/tweet-contract.js';

test('producer ids: a slot is a process and a slot; an incarnation replaces the ones before it', () => {
  assert.deepEqual(parseProducerId(producerIdOf('run', 'a1b2c3', 2, 1)), { slot: 'run/a1b2c3.p2', incarnation: 1 });
  assert.equal(parseProducerId('someone-else'), null);
});

test("producer ids: an instance's slot names its index, not its process, so a restarted process replaces it", () => {
  const killed = parseProducerId(producerIdOf('run/x', 'i3-a1b2c3', 0, 0));
  const restarted = parseProducerId(producerIdOf('run/x', 'i3-0f0f0f', 0, 1));
  assert.deepEqual(killed, { slot: 'run/x/i3.p0', incarnation: 0 });
  assert.deepEqual(restarted, { slot: 'run/x/i3.p0', incarnation: 1 });
  assert.notEqual(parseProducerId(producerIdOf('run', 'i13-a1b2c3', 0, 0))?.slot, killed?.slot);
});
