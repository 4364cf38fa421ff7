/** The points timestamp scheme (pulse/points.ts): no two points of a series share a timestamp, replays replace. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CountsAggregator, tweetPoint } from '../../../src/pulse/points.js';

const tweet = (created_at: number, brand = 'Apple', sentiment = 'positive', text = 'hi') => ({
  created_at,
  brand,
  sentiment,
  text,
});
const ts = (line: string) => BigInt(line.slice(line.lastIndexOf(' ') + 1));

test('points: created_at in ms · 10^6 + offset mod 10^6 ns, tagged with brand, sentiment and partition', () => {
  const line = tweetPoint(tweet(1_700_000_000_123), 4, 2_000_017);
  assert.match(line, /^tweets,brand=Apple,partition=4,sentiment=positive count=1i,text="hi" \d+$/);
  assert.equal(ts(line), 1_700_000_000_123n * 1_000_000n + 17n);
});

test('points: two tweets of one partition in the same millisecond get their own timestamps', () => {
  const a = tweetPoint(tweet(1000), 0, 5);
  const b = tweetPoint(tweet(1000), 0, 6);
  assert.notEqual(ts(a), ts(b));
});

test('points: long texts are cut to 255 characters, quotes escaped', () => {
  const line = tweetPoint(tweet(1000, 'Nike', 'neutral', `"${'x'.repeat(400)}`), 1, 1);
  const text = /text="(.*)" \d+$/.exec(line)?.[1] ?? '';
  assert.equal(text.replace(/\\"/g, '"').length, 255);
});

test('counts: per second, partition, brand and sentiment, at second · 10^9 + first offset of the flush', () => {
  const c = new CountsAggregator();
  c.add(tweet(5_000), 2, 100);
  c.add(tweet(5_999), 2, 101);
  c.add(tweet(6_000), 2, 102);
  c.add(tweet(5_500, 'Nike', 'negative'), 2, 103);
  c.add(tweet(5_500), 3, 7);
  assert.equal(c.size, 4);
  const lines = c.drain();
  assert.equal(c.size, 0, 'a drain empties it');
  const sum = (f: (l: string) => boolean) =>
    lines.filter(f).reduce((a, l) => a + Number(/count=(\d+)i/.exec(l)?.[1]), 0);
  assert.equal(
    sum(() => true),
    5,
  );
  const apple5 = lines.find((l) => l.includes('brand=Apple,partition=2') && ts(l) / 1_000_000_000n === 5n);
  assert.ok(apple5);
  assert.match(apple5, /count=2i/);
  assert.equal(ts(apple5), 5n * 1_000_000_000n + 100n, 'the flush starts at offset 100 on partition 2');
  const p3 = lines.find((l) => l.includes('partition=3'));
  assert.equal(p3 && ts(p3), 5n * 1_000_000_000n + 7n);
});

test('counts: the same range replayed lands on the same timestamps (replaces); the next range does not', () => {
  const flush = (from: number) => {
    const c = new CountsAggregator();
    for (let o = from; o < from + 10; o++) c.add(tweet(9_000), 0, o);
    return c.drain();
  };
  assert.deepEqual(flush(40), flush(40));
  assert.notEqual(ts(flush(40)[0]), ts(flush(50)[0]));
});

test('counts: a revoked partition is forgotten, the others kept', () => {
  const c = new CountsAggregator();
  c.add(tweet(1_000), 0, 1);
  c.add(tweet(1_000), 1, 1);
  c.drop(new Set([0]));
  const lines = c.drain();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /partition=1/);
});
