/** Key distributions: parsing, the shares they converge to, and the alias-table draws matching them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../../src/random.js';
import { encodeKeys, KeyPicker, type KeySpec, keyShares, parseKeys } from '../../../src/scenario/keys.js';

const spec = (s: string) => {
  const r = parseKeys(s);
  assert.deepEqual(r.problems, [], s);
  return r.keys as Exclude<KeySpec, { kind: 'none' }>;
};

test('every form parses; bad ones name what is allowed', () => {
  assert.deepEqual(parseKeys('none').keys, { kind: 'none' });
  assert.deepEqual(spec('round-robin'), { kind: 'round-robin', n: 1000 });
  assert.deepEqual(spec('uniform:50'), { kind: 'uniform', n: 50 });
  assert.deepEqual(spec('zipf:1000:1.2'), { kind: 'zipf', n: 1000, s: 1.2 });
  assert.deepEqual(spec('hot:10%'), { kind: 'hot', n: 1000, hotShare: 0.1 });
  assert.deepEqual(spec('hot:25%:20'), { kind: 'hot', n: 20, hotShare: 0.25 });
  for (const bad of ['random', 'uniform', 'uniform:0', 'zipf:1000', 'zipf:1000:0', 'hot:10', 'hot:150%', 'none:5'])
    assert.match(parseKeys(bad).problems[0] ?? '', /--keys must be none, round-robin/, bad);
});

test('zipf shares follow 1/k^s normalised; hot puts P% on key 0', () => {
  const z = keyShares(spec('zipf:1000:1.2'));
  let h = 0;
  for (let k = 1; k <= 1000; k++) h += 1 / k ** 1.2;
  assert.ok(Math.abs(z[0] - 1 / h) < 1e-12);
  assert.ok(Math.abs(z.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  const hot = keyShares(spec('hot:30%:11'));
  assert.equal(hot[0], 0.3);
  assert.ok(Math.abs(hot[5] - 0.07) < 1e-12);
});

test('the alias table draws each key at its share (400,000 draws)', () => {
  for (const s of ['zipf:1000:1.2', 'hot:30%:100', 'uniform:10']) {
    const k = spec(s);
    const picker = new KeyPicker(k, new Rng(7));
    const counts = new Float64Array(k.n);
    const N = 400_000;
    for (let i = 0; i < N; i++) counts[picker.next()]++;
    const shares = keyShares(k);
    for (const i of [0, 1, 2, k.n - 1])
      assert.ok(Math.abs(counts[i] / N - shares[i]) < 0.004, `${s} key ${i}: ${counts[i] / N} vs ${shares[i]}`);
  }
  const rr = new KeyPicker(spec('round-robin:3'), new Rng(1));
  const seq = Array.from({ length: 6 }, () => rr.next());
  assert.deepEqual(seq.slice(3), seq.slice(0, 3), 'round-robin cycles');
  assert.deepEqual([...new Set(seq)].sort(), [0, 1, 2]);
});

test('keys are encoded once, back to back', () => {
  const { buf, ends } = encodeKeys(12);
  assert.equal(buf.toString('latin1', ends[9], ends[10]), 'user10');
  assert.equal(buf.toString('latin1', 0, ends[0]), 'user0');
});

test("zipf's top key gets its share whatever the child's seed (pids 1000-1049, as a child seeds its Rng)", () => {
  const spec = parseKeys('zipf:1000:1.2').keys;
  assert.ok(spec && spec.kind !== 'none');
  const expected = keyShares(spec)[0];
  const draws = 40_000;
  const off: string[] = [];
  for (let pid = 1000; pid < 1050; pid++) {
    const picker = new KeyPicker(spec, new Rng((pid * 2654435761) >>> 0));
    let top = 0;
    for (let i = 0; i < draws; i++) if (picker.next() === 0) top++;
    if (Math.abs(top / draws - expected) > 0.01) off.push(`pid ${pid}: ${top / draws}`);
  }
  assert.deepEqual(off, [], `expected ${expected} ± 1 point`);
});
