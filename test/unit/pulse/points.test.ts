/** The points timestamp scheme (pulse/points.ts): no two points of a series share a timestamp, replays replace. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Point } from '@influxdata/influxdb-client';
import { COUNT_WINDOW, CountsAggregator, tweetPoint } from '../../../src/pulse/points.js';
import { Rng } from '../../../src/random.js';

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

const SENTIMENT_INDEX: Record<string, number> = { positive: 0, negative: 1, neutral: 2 };
const counted = (created_at: number, brand = 'Apple', sentiment = 'positive') => ({
  ...tweet(created_at, brand, sentiment),
  sentimentIndex: SENTIMENT_INDEX[sentiment],
});
const countOf = (l: string) => Number(/count=(\d+)i/.exec(l)?.[1]);
const sumOf = (lines: string[]) => lines.reduce((a, l) => a + countOf(l), 0);
/** The points that survive in InfluxDB: the last line written for each series + timestamp. */
const survivors = (writes: string[][]) => {
  const byId = new Map<string, string>();
  for (const lines of writes) for (const l of lines) byId.set(l.replace(/ count=\d+i/, ''), l);
  return [...byId.values()];
};

test('counts: per second, brand, sentiment and partition, at second · 10^9 + offset window', () => {
  const c = new CountsAggregator();
  c.add(counted(5_000), 2, 100);
  c.add(counted(5_999), 2, 101);
  c.add(counted(6_000), 2, 102);
  c.add(counted(5_500, 'Nike', 'negative'), 2, 103);
  c.add(counted(5_500), 3, 7 + 3 * COUNT_WINDOW);
  assert.equal(c.size, 4);
  const lines = c.drain();
  assert.equal(c.size, 0, 'nothing changed since the drain');
  assert.equal(sumOf(lines), 5);
  const apple5 = lines.find((l) => l.includes('brand=Apple,partition=2') && ts(l) / 1_000_000_000n === 5n);
  assert.ok(apple5);
  assert.equal(countOf(apple5), 2);
  assert.equal(ts(apple5), 5n * 1_000_000_000n, 'window 0 of partition 2');
  const p3 = lines.find((l) => l.includes('partition=3'));
  assert.equal(p3 && ts(p3), 5n * 1_000_000_000n + 3n, 'window 3 of partition 3');
});

test('counts: an open window is rewritten with its running sum; the commit stops at its start', () => {
  const c = new CountsAggregator();
  const w = 4 * COUNT_WINDOW;
  c.add(counted(1_000), 0, w + 10);
  const first = c.drain();
  assert.equal(c.commitOffset(0, w + 11), w, 'the open window is not committed');
  c.add(counted(1_000), 0, w + 11);
  const second = c.drain();
  assert.equal(ts(first[0]), ts(second[0]), 'the same point');
  assert.equal(countOf(second[0]), 2, 'with the running sum');
  c.add(counted(1_000), 0, w + COUNT_WINDOW); // the next window: the previous one closes
  assert.equal(c.commitOffset(0, w + COUNT_WINDOW + 1), w + COUNT_WINDOW);
  assert.equal(c.commitOffset(7, 123), 123, 'a partition without an open window commits where it is');
});

test('counts: the points do not depend on where flushes cut (a replay with other flush sizes lands on them)', () => {
  const tweets: [ReturnType<typeof counted>, number, number][] = [];
  for (let o = 0; o < 3 * COUNT_WINDOW + 500; o += 7)
    tweets.push([counted(1_000 + o, o % 3 ? 'Apple' : 'Nike', ['positive', 'negative', 'neutral'][o % 3]), o % 2, o]);
  const run = (flushEvery: number) => {
    const c = new CountsAggregator();
    const writes: string[][] = [];
    tweets.forEach(([t, p, o], i) => {
      c.add(t, p, o);
      if (i % flushEvery === flushEvery - 1) writes.push(c.drain());
    });
    writes.push(c.drain());
    return survivors(writes).sort();
  };
  const a = run(5000);
  assert.equal(sumOf(a), tweets.length);
  assert.deepEqual(run(13), a);
  assert.deepEqual(run(1), a);
});

test('counts: a revoked partition is forgotten, closed windows too, the others kept', () => {
  const c = new CountsAggregator();
  c.add(counted(1_000), 0, 1);
  c.add(counted(1_000), 0, COUNT_WINDOW + 1); // closes partition 0's first window
  c.add(counted(1_000), 1, 1);
  c.drop(new Set([0]));
  const lines = c.drain();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /partition=1/);
});

/** The counts store as it was first written (Maps, strings, the client's Point): the lines the typed one must equal. */
class ReferenceCounts {
  private readonly open = new Map<number, { index: number; sums: Map<string, number>; dirty: Set<string> }>();
  private closed: string[] = [];
  add(t: { created_at: number; brand: string; sentiment: string }, partition: number, offset: number): void {
    const index = Math.floor(offset / COUNT_WINDOW);
    let w = this.open.get(partition);
    if (!w || w.index !== index) {
      if (w) for (const k of w.dirty) this.closed.push(this.line(partition, w.index, k, w.sums.get(k) ?? 0));
      w = { index, sums: new Map(), dirty: new Set() };
      this.open.set(partition, w);
    }
    const key = JSON.stringify([Math.floor(t.created_at / 1000), t.brand, t.sentiment]);
    w.sums.set(key, (w.sums.get(key) ?? 0) + 1);
    w.dirty.add(key);
  }
  drain(): string[] {
    const lines = this.closed;
    this.closed = [];
    for (const [partition, w] of this.open) {
      for (const k of w.dirty) lines.push(this.line(partition, w.index, k, w.sums.get(k) ?? 0));
      w.dirty.clear();
    }
    return lines;
  }
  private line(partition: number, index: number, key: string, n: number): string {
    const [sec, brand, sentiment] = JSON.parse(key) as [number, string, string];
    return new Point('tweets')
      .tag('brand', brand)
      .tag('sentiment', sentiment)
      .tag('partition', String(partition))
      .intField('count', n)
      .timestamp((BigInt(sec) * 1_000_000_000n + BigInt(index % 1_000_000_000)).toString())
      .toLineProtocol() as string;
  }
}

test('counts: the typed aggregator writes exactly the lines of the Map-and-Point one, flush after flush', () => {
  const rng = new Rng(5);
  const brands = [
    'Apple',
    'Nike',
    'a b',
    'c,d',
    'e=f',
    'g\\h',
    'Zoë',
    '',
    ...Array.from({ length: 70 }, (_, i) => `b${i}`),
  ];
  const sentiments = ['positive', 'negative', 'neutral'];
  const typed = new CountsAggregator();
  const reference = new ReferenceCounts();
  const offsets = [0, 0, 0, 0];
  for (let flush = 0; flush < 30; flush++) {
    for (let i = 0; i < 2000; i++) {
      const partition = rng.int(4);
      offsets[partition] += 1 + rng.int(40);
      // Seconds around the epoch (0, negative), today, and far ahead.
      const created_at = [-2_500, 0, 999, 1_760_000_000_000, 32_503_680_000_000][rng.int(5)] + rng.int(3000);
      const s = rng.int(3);
      const t = { created_at, brand: brands[rng.int(brands.length)], sentiment: sentiments[s], sentimentIndex: s };
      typed.add(t, partition, offsets[partition]);
      reference.add(t, partition, offsets[partition]);
    }
    assert.deepEqual(typed.drain().sort(), reference.drain().sort(), `flush ${flush}`);
  }
});

test("points: each tweet's line is the client's Point's, whatever its text, brand and time", () => {
  const rng = new Rng(9);
  const texts = ['hi', 'say "no"', 'back\\slash', 'multi\nline\ttab', 'x'.repeat(300), '', 'Zoë 日本 🙂', 'a=b,c d'];
  const brands = ['Apple', '', 'a b', 'c,d', 'e=f', 'Zoë'];
  for (let i = 0; i < 5000; i++) {
    const t = {
      created_at: [-5_000, 0, 1, 1_760_000_000_123, 32_503_680_000_000][rng.int(5)] + rng.int(100),
      brand: brands[rng.int(brands.length)],
      sentiment: ['positive', 'negative', 'neutral'][rng.int(3)],
      text: texts[rng.int(texts.length)],
    };
    const partition = rng.int(12);
    const offset = rng.int(5_000_000);
    const reference = new Point('tweets')
      .tag('brand', t.brand)
      .tag('sentiment', t.sentiment)
      .tag('partition', String(partition))
      .stringField('text', t.text.length > 255 ? t.text.slice(0, 255) : t.text)
      .intField('count', 1)
      .timestamp((BigInt(t.created_at) * 1_000_000n + BigInt(offset % 1_000_000)).toString())
      .toLineProtocol();
    assert.equal(tweetPoint(t, partition, offset), reference);
  }
});

test('backslashes ending a brand are dropped (InfluxDB refuses a tag value ending in one); elsewhere kept', () => {
  const line = (brand: string) => tweetPoint(tweet(1000, brand), 0, 1);
  assert.match(line('ends\\\\'), /^tweets,brand=ends,partition=0,/);
  assert.match(line('\\'), /^tweets,partition=0,/, 'nothing left: no brand tag, as for the empty brand');
  assert.match(line('x\\,y'), /^tweets,brand=x\\\\,y,partition=0,/, 'as Point writes it');
  assert.match(line('g\\h'), /^tweets,brand=g\\h,partition=0,/);
});

test('counts: brands that write the same tag (trailing backslashes dropped) share one sum, not two points', () => {
  const counts = new CountsAggregator();
  counts.add({ ...tweet(5000, 'acme'), sentimentIndex: 0 }, 0, 0);
  counts.add({ ...tweet(5100, 'acme\\'), sentimentIndex: 0 }, 0, 1);
  counts.add({ ...tweet(5200, 'acme\\\\'), sentimentIndex: 0 }, 0, 2);
  const lines = counts.drain();
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0], /^tweets,brand=acme,partition=0,sentiment=positive count=3i /);
});
