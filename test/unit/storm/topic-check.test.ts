/** The topic's configs a storm creates it with, and what would refuse the run's own writes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidOptionsError } from '../../../src/errors.js';
import { parseStormOptions, type StormOptions } from '../../../src/storm/options.js';
import { refuseExistingMismatch, topicConfigFor } from '../../../src/storm/topic-check.js';

const options = (flags: Record<string, unknown>) => {
  const { request, problems } = parseStormOptions(flags);
  assert.deepEqual(problems, []);
  return { ...request, bootstrap: '127.0.0.1:1' } as StormOptions;
};
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof InvalidOptionsError);
    return e.problems.join('\n');
  }
  assert.fail('refused');
};

test("DataStorm's configs first (a batch fits; two in sync on three replicas), --topic-config over them", () => {
  const o = options({ 'batch-bytes': '1048576', 'topic-config': ['retention.ms=60000', 'min.insync.replicas=1'] });
  assert.deepEqual(topicConfigFor(o, 3), {
    'max.message.bytes': String(2 * 1048576),
    'min.insync.replicas': '1',
    'retention.ms': '60000',
  });
  assert.deepEqual(topicConfigFor(options({ 'batch-bytes': '1048576' }), 1), { 'max.message.bytes': '2097152' });
});

test('a config that would refuse every write of the run is refused, both at once', () => {
  const o = options({ 'batch-bytes': '4194304', 'topic-config': ['min.insync.replicas=3', 'max.message.bytes=1000'] });
  const why = refusal(() => topicConfigFor(o, 2));
  assert.match(why, /min\.insync\.replicas=3 is more than the topic's 2 replicas: every acks=all write/);
  assert.match(why, /max\.message\.bytes=1000 is below the 5242880 a batch of --batch-bytes 4194304 needs/);
  // acks=1 writes are not refused by min.insync.replicas.
  const acks1 = options({ acks: '1', 'topic-config': ['min.insync.replicas=3'] });
  assert.equal(topicConfigFor(acks1, 1)['min.insync.replicas'], '3');
});

test('--topic-config on a topic that exists is refused: its configs are set when the storm creates it', () => {
  const o = options({ topic: 'kept', 'topic-config': ['retention.ms=1'] });
  const why = refusal(() => refuseExistingMismatch(o, { name: 'kept', partitions: 3, replication: 1, created: false }));
  assert.match(why, /--topic-config: topic 'kept' exists; its configs are set when the storm creates it/);
});
