/** Bad input: one line naming the option and what is allowed, exit 2, no stack, nothing produced. Unreachable services: reported within 10 s. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, bootstrap, redisUrl } from '../../helpers/services.js';
import { CLI } from '../../helpers/storm-cli.js';

const CASES: [string[], RegExp][] = [
  [['--sentiment', '50,30,30'], /^datastorm: error: --sentiment percentages must add up to 100 \(got '50,30,30', sum 110\)$/],
  [['--sentiment=-10,60,50'], /^datastorm: error: --sentiment percentages must not be negative/],
  [['--sentiment', '50,50'], /^datastorm: error: --sentiment must be three percentages P,N,U/],
  [['--volatility', '1.5'], /^datastorm: error: --volatility must be a number from 0 to 1 \(got '1.5'\)$/],
  [['--mode', 'chaotic'], /^datastorm: error: --mode must be fixed or volatile \(got 'chaotic'\)$/],
  [['--count', '0'], /^datastorm: error: --count must be a whole number from 1 up \(got '0'\)$/],
  [['--count', '12.5'], /^datastorm: error: --count must be a whole number/],
  [['--rate', '-5'], /^datastorm: error: --rate must be messages per second, 0 or more/],
  [['--acks', '2'], /^datastorm: error: --acks must be 0, 1 or all \(got '2'\)$/],
  [['--compression', 'brotli'], /^datastorm: error: --compression must be one of lz4, zstd, snappy, gzip, none/],
  [['--brokers', '12'], /^datastorm: error: --brokers must be a whole number from 1 to 9 \(got '12'\)$/],
  [['--workers', '0'], /^datastorm: error: --workers must be a whole number from 1 to 256/],
  [['--duration', 'soon'], /^datastorm: error: --duration must be a number of seconds above 0/],
  [['--topic', 'bad topic!'], /^datastorm: error: --topic must be 1-249 characters/],
  [['--brands', 'Apple,Acme'], /^datastorm: error: --brands must name brands from: .* \(unknown: Acme\)$/],
  [['--acks', '1', '--idempotence'], /^datastorm: error: --idempotence needs --acks all/],
  [['--frobnicate'], /^datastorm: error: Unknown argument: frobnicate/],
];

for (const [args, want] of CASES) {
  test(`storm ${args.join(' ')} -> one line, exit 2`, async () => {
    const r = await run(process.execPath, [CLI, 'storm', '--bootstrap', bootstrap(), '--redis', redisUrl(), ...args]);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], want);
    assert.equal(r.stdout, '');
  });
}

test('several bad options are all reported, one line each', async () => {
  const r = await run(process.execPath, [CLI, 'storm', '--bootstrap', bootstrap(), '--volatility', '2', '--mode', 'x', '--count', '0']);
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 3, r.stderr);
  assert.ok(lines.every((l) => l.startsWith('datastorm: error: --')));
});

test('an unreachable cluster is reported within 10 s, exit 3, no stack', async () => {
  const t0 = Date.now();
  const r = await run(process.execPath, [CLI, 'storm', '--bootstrap', '127.0.0.1:1', '--redis', redisUrl(), '--count', '10']);
  assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
  assert.equal(r.code, 3);
  assert.match(r.stderr.trim(), /^datastorm: error: cannot reach Kafka at 127\.0\.0\.1:1 within \d+ s/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('an unreachable Redis is reported within 10 s, exit 4, no stack', async () => {
  const t0 = Date.now();
  const r = await run(process.execPath, [CLI, 'storm', '--bootstrap', bootstrap(), '--redis', 'redis://127.0.0.1:1', '--count', '10']);
  assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
  assert.equal(r.code, 4);
  assert.match(r.stderr.trim(), /^datastorm: error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 within \d+ s/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('a malformed --redis URL is a usage error', async () => {
  const r = await run(process.execPath, [CLI, 'storm', '--bootstrap', bootstrap(), '--redis', 'localhost:6379', '--count', '10']);
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^datastorm: error: --redis must be a redis:\/\/ or rediss:\/\/ URL/);
});
