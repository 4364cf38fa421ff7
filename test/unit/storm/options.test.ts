/**
 * Storm option parsing, without spawning: every bad value gives its one line (the README's bad-input table proves the
 * same lines end to end, through the CLI), every problem is reported at once, and defaults fill what is absent.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { DEFAULT_COUNT, defaults, parseStormOptions, validateStormOptions } from '../../../src/storm/options.js';

const BAD: [Record<string, unknown>, RegExp][] = [
  [{ sentiment: '50,30,30' }, /^--sentiment percentages must add up to 100 \(got '50,30,30', sum 110\)$/],
  [{ sentiment: '-10,60,50' }, /^--sentiment percentages must not be negative/],
  [{ sentiment: '50,50' }, /^--sentiment must be three percentages P,N,U/],
  [{ sentiment: '50,x,50' }, /^--sentiment must be three percentages P,N,U/],
  [{ volatility: '1.5' }, /^--volatility must be a number from 0 to 1 \(got '1.5'\)$/],
  [{ 'swing-every': '1s' }, /^--swing-every needs --mode volatile \(got --mode fixed\)$/],
  [
    { mode: 'volatile', 'swing-every': '5ms' },
    /^--swing-every must be batch or a duration like 500ms, 30s, 2m or 1h, 10ms or more \(got '5ms'\)$/,
  ],
  [{ mode: 'chaotic' }, /^--mode must be fixed or volatile \(got 'chaotic'\)$/],
  [{ count: '0' }, /^--count must be a whole number from 1 up \(got '0'\)$/],
  [{ count: '12.5' }, /^--count must be a whole number/],
  [{ count: 'ten' }, /^--count must be a whole number from 1 up \(got 'ten'\)$/],
  [{ rate: '-5' }, /^--rate must be a rate like 50000, 200k or 1.5M \(messages\/s\), 0 or more/],
  [{ acks: '2' }, /^--acks must be 0, 1 or all \(got '2'\)$/],
  [{ compression: 'brotli' }, /^--compression must be one of lz4, zstd, snappy, gzip, none/],
  [{ brokers: '12' }, /^--brokers must be a whole number from 1 to 9 \(got '12'\)$/],
  [{ workers: '0' }, /^--workers must be a whole number from 1 to 256/],
  [{ duration: 'soon' }, /^--duration must be a duration like 500ms, 30s, 2m or 1h above 0/],
  [{ duration: '0' }, /^--duration must be a duration like 500ms, 30s, 2m or 1h above 0/],
  [{ topic: 'bad topic!' }, /^--topic must be 1-249 characters/],
  [{ brands: 'Apple,Acme' }, /^--brands must name brands from: .* \(unknown: Acme\)$/],
  [{ acks: '1', idempotence: true }, /^--idempotence needs --acks all \(got --acks 1\)$/],
  [{ 'max-in-flight': '500000' }, /^--max-in-flight must be a whole number from 1,000 to 200,000 \(got '500000'\)$/],
  [{ partitions: '10001' }, /^--partitions must be a whole number from 1 to 10,000/],
  [{ 'batch-bytes': '10' }, /^--batch-bytes must be a whole number from 1,024 to 1,000,000,000/],
  [{ 'linger-ms': '-1' }, /^--linger-ms must be a whole number from 0 to 900,000/],
  [{ bootstrap: 'kafka' }, /^--bootstrap must be host:port\[,host:port…\] \(got 'kafka'\)$/],
  [{ redis: 'localhost:6379' }, /^--redis must be a redis:\/\/ or rediss:\/\/ URL/],
  [{ redis: 'http://127.0.0.1:6379' }, /^--redis must be a redis:\/\/ or rediss:\/\/ URL/],
  [{ 'run-id': 'a b' }, /^--run-id must be 1-64 letters/],
];

for (const [raw, want] of BAD) {
  test(`storm ${JSON.stringify(raw)} → one problem`, () => {
    const { problems, request } = parseStormOptions(raw);
    assert.equal(request, undefined);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], want);
  });
}

test('every bad option is reported, not just the first', () => {
  const p = validateStormOptions({
    count: '0',
    sentiment: '10,10,10',
    volatility: '-1',
    mode: 'x',
    acks: '3',
    compression: 'lzma',
  });
  assert.equal(p.length, 6);
  for (const name of ['--count', '--sentiment', '--volatility', '--mode', '--acks', '--compression'])
    assert.ok(
      p.some((l) => l.startsWith(name)),
      name,
    );
});

test('percentages may be fractional but must add to 100', () => {
  assert.deepEqual(validateStormOptions({ sentiment: '33.3,33.3,33.4' }), []);
  assert.equal(validateStormOptions({ sentiment: '33.3,33.3,33.3' }).length, 1);
});

test('no flags: the documented defaults, a run id, one worker per core, the default count', () => {
  const { request, problems } = parseStormOptions({});
  assert.deepEqual(problems, []);
  assert.ok(request);
  assert.equal(request.count, DEFAULT_COUNT);
  assert.equal(request.duration, undefined);
  assert.equal(request.workers, os.availableParallelism());
  assert.equal(request.brokers, defaults.brokers);
  assert.equal(request.bootstrap, undefined);
  assert.equal(request.partitions, undefined, 'left to the engine: 3 per broker');
  assert.deepEqual(request.sentiment, [50, 30, 20]);
  assert.equal(request.acks, 'all');
  assert.equal(request.idempotence, true, 'on by default with acks=all');
  assert.equal(request.compression, 'lz4');
  assert.equal(request.batchBytes, 16 * 1024 * 1024);
  assert.match(request.runId, /^\d{14}-[0-9a-f]{6}$/);
  assert.equal(request.brands.length, 12);
});

test('flags are converted: numbers, lists, acks -1 as all, --duration without a count', () => {
  const { request } = parseStormOptions({
    duration: '2.5',
    rate: '1000',
    sentiment: '60,20,20',
    acks: '-1',
    brands: 'Apple, Nike',
    'batch-size': '500',
    'run-id': 'r1',
    bootstrap: 'a:1,b:2',
  });
  assert.ok(request);
  assert.equal(request.count, undefined, '--duration alone: no default count');
  assert.equal(request.duration, 2.5);
  assert.equal(request.rate, 1000);
  assert.deepEqual(request.sentiment, [60, 20, 20]);
  assert.equal(request.acks, 'all');
  assert.deepEqual(request.brands, ['Apple', 'Nike']);
  assert.equal(request.batchSize, 500);
  assert.equal(request.runId, 'r1');
  assert.equal(request.bootstrap, 'a:1,b:2');
});

test('--rate and --duration take the grammar rate shapes use: 200k, 1.5M; 500ms, 30s, 2m, 1h', () => {
  for (const [rate, want] of [
    ['100k', 100_000],
    ['1.5M', 1_500_000],
    ['2500', 2500],
  ] as const) {
    const { request, problems } = parseStormOptions({ rate, duration: '2m' });
    assert.deepEqual(problems, []);
    assert.equal(request?.rate, want, rate);
    assert.equal(request?.duration, 120);
  }
  assert.equal(parseStormOptions({ duration: '500ms' }).request?.duration, 0.5);
  assert.match(parseStormOptions({ rate: '100kb' }).problems[0], /^--rate must be a rate like 50000, 200k or 1.5M/);
  assert.match(parseStormOptions({ duration: '2 weeks' }).problems[0], /^--duration must be a duration like/);
});

test('acks 1 turns idempotence off unless asked; library callers may pass numbers', () => {
  assert.equal(parseStormOptions({ acks: '1' }).request?.idempotence, false);
  const r = parseStormOptions({ count: 1000, workers: 3, rate: 0 }).request;
  assert.equal(r?.count, 1000);
  assert.equal(r?.workers, 3);
});
