/** verify's sequence analysis as a pure function of the messages read. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_IN_FLIGHT_LIMIT, UNCONFIRMED_WINDOW } from '../../../src/generate/tweet-contract.js';
import { MAX_SEQ, SequenceAnalysis } from '../../../src/verify/sequences.js';

const analyse = (messages: [producer: string, seq: number, partition: number][]) => {
  const a = new SequenceAnalysis();
  for (const [p, s, part] of messages) a.add(p, s, part);
  return a.result();
};

test('a clean sequence: nothing lost, duplicated or out of order', () => {
  const r = analyse([0, 1, 2, 3, 4].map((s) => ['r/x.p0.0', s, s % 2]));
  assert.deepEqual([r.received, r.lost, r.duplicated, r.outOfOrder, r.unconfirmed], [5, 0, 0, 0, 0]);
  assert.equal(r.producers[0].maxSeq, 4);
});

test('gaps are lost, repeats duplicated, a lower seq after a higher one in a partition out of order', () => {
  const r = analyse([
    ['r/x.p0.0', 0, 0],
    ['r/x.p0.0', 3, 0],
    ['r/x.p0.0', 2, 0],
    ['r/x.p0.0', 3, 1],
  ]);
  assert.equal(r.lost, 1, 'seq 1');
  assert.equal(r.duplicated, 1, 'seq 3 twice');
  assert.equal(r.outOfOrder, 1, '2 after 3 on partition 0 (partition 1 has its own order)');
});

test("a dead producer's last gaps are unconfirmed, not lost, within the window; further back they are lost", () => {
  const far = UNCONFIRMED_WINDOW + 1000;
  const r = analyse([
    ['r/x.p1.0', 0, 0],
    ['r/x.p1.0', far, 0],
    ['r/x.p1.1', 0, 0],
  ]);
  const dead = r.producers.find((p) => p.producer === 'r/x.p1.0');
  assert.ok(dead?.replaced);
  assert.equal(dead.unconfirmed, UNCONFIRMED_WINDOW);
  assert.equal(dead.lost, far - 1 - UNCONFIRMED_WINDOW);
  assert.equal(r.producers.find((p) => p.producer === 'r/x.p1.1')?.replaced, false);
});

test('the window covers the most a child may hold in flight', () => {
  assert.ok(UNCONFIRMED_WINDOW > MAX_IN_FLIGHT_LIMIT);
});

test('producers come out sorted; ids that are not a storm child never count as replaced', () => {
  const r = analyse([
    ['zeta', 0, 0],
    ['alpha', 0, 0],
    ['alpha', 2, 0],
  ]);
  assert.deepEqual(
    r.producers.map((p) => [p.producer, p.replaced, p.lost]),
    [
      ['alpha', false, 1],
      ['zeta', false, 0],
    ],
  );
});

test('sequence numbers no storm writes (negative, huge) are counted apart and size nothing', () => {
  const a = new SequenceAnalysis();
  for (const seq of [0, 1, -1, 2 ** 52, MAX_SEQ, 0.5]) a.add('p', seq, 0);
  a.add('far', MAX_SEQ - 1, 0); // plausible, and far: its chunks are made for what it has, not for the gap
  const r = a.result();
  const p = r.producers.find((x) => x.producer === 'p');
  assert.deepEqual([p?.received, p?.invalidSeq, p?.lost, p?.maxSeq], [6, 4, 0, 1]);
  assert.equal(r.invalidSeq, 4);
  assert.equal(r.producers.find((x) => x.producer === 'far')?.lost, MAX_SEQ - 1);
});
