/**
 * Running a storm again from its report: the flags a run records reproduce its options (a new run id aside), the
 * command line quotes what a shell would split, no secret is kept, and a file that is not a report is one line.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseStormOptions, type StormRequest } from '../../../src/storm/options.js';
import { commandLine, flagsFromReport } from '../../../src/storm/repeat.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-repeat-'));
const requestOf = (flags: Record<string, unknown>): StormRequest => {
  const parsed = parseStormOptions(flags);
  assert.deepEqual(parsed.problems, []);
  return parsed.request as StormRequest;
};
const withoutRunId = ({ runId: _runId, flags: _flags, ...rest }: StormRequest) => rest;
const saveReport = (flags: unknown) => {
  const file = path.join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify({ runId: 'r', settings: { acks: 'all', flags } }));
  return file;
};

test("a run's flags reproduce its options: shapes, keys, mix, producer settings, brands, schema", () => {
  const given = {
    bootstrap: '127.0.0.1:9092',
    stages: '5s:1k,5s:2k-4k',
    warmup: '2s',
    keys: 'zipf:1000:1.2',
    mode: 'volatile',
    sentiment: '40,40,20',
    volatility: '0.5',
    acks: '1',
    compression: 'zstd',
    'max-in-flight': '5000',
    brands: 'Nike,Adidas',
    schema: 'schemas/tweet.avsc',
    'run-id': 'first',
  };
  const first = requestOf(given);
  assert.equal(first.flags['run-id'], undefined, 'a run id is never carried over');
  assert.equal(first.flags.workers, String(os.availableParallelism()), 'the machine-made default is written out');
  const again = requestOf(first.flags);
  assert.deepEqual(withoutRunId(again), withoutRunId(first));
  assert.notEqual(again.runId, 'first');
});

test('the default count and a scenario file are written out, so the report alone repeats the run', () => {
  const scenario = path.join(dir, 'ramp.yaml');
  fs.writeFileSync(scenario, 'description: a ramp\nrate: 20k\nkeys: uniform:10\n');
  const first = requestOf({ scenario, bootstrap: 'h:9092' });
  assert.equal(first.flags.scenario, undefined);
  assert.equal(first.flags.rate, '20k');
  assert.equal(first.flags.count, '5000000');
  fs.rmSync(scenario);
  const again = requestOf(first.flags);
  assert.deepEqual(again.keys, { kind: 'uniform', n: 10 });
  assert.equal(again.rate, 20_000);
});

test('secret -X settings stay out of the flags; the others are kept to run again', () => {
  const request = requestOf({ bootstrap: 'h:9092', X: ['sasl.password=hunter2', 'security.protocol=sasl_ssl'] });
  assert.deepEqual(request.flags.X, ['security.protocol=sasl_ssl']);
  assert.doesNotMatch(commandLine(request.flags), /hunter2/);
});

test("a Redis URL's user and password stay out of the flags and the command line", () => {
  const request = requestOf({ bootstrap: 'h:9092', redis: 'redis://admin:s3cret@10.0.0.5:6380/2' });
  assert.equal(request.flags.redis, 'redis://10.0.0.5:6380/2');
  assert.doesNotMatch(commandLine(request.flags), /s3cret|admin/);
});

test('the command line quotes what a shell would split or expand', () => {
  assert.equal(
    commandLine({
      topic: 'tweets',
      stages: '5s:1k, 5s:2k',
      sentiment: "it's",
      idempotence: false,
      X: ['client.rack=r 1', 'security.protocol=ssl'],
    }),
    "datastorm storm --topic tweets --stages '5s:1k, 5s:2k' --sentiment 'it'\\''s' --no-idempotence " +
      "-X 'client.rack=r 1' -X security.protocol=ssl",
  );
});

test('--from-report: the report fills in what the command line does not say; the command line wins', () => {
  const file = saveReport({ bootstrap: 'h:9092', count: '1000', keys: 'uniform:5', workers: '1' });
  const request = requestOf({ 'from-report': file, count: '7' });
  assert.equal(request.count, 7);
  assert.deepEqual(request.keys, { kind: 'uniform', n: 5 });
  assert.equal(request.workers, 1);
});

test('--from-report refuses, in one line each, what is not a storm report', () => {
  const notJson = path.join(dir, 'not.json');
  fs.writeFileSync(notJson, 'hello');
  const noFlags = path.join(dir, 'old.json');
  fs.writeFileSync(noFlags, JSON.stringify({ runId: 'r', settings: { acks: 'all' } }));
  const cases: [string, RegExp][] = [
    [dir, /^--from-report must be a storm report file \(a saved JSON report\) \(got '.*'\)$/],
    [path.join(dir, 'missing.json'), /^--from-report cannot be read: ENOENT/],
    ['/dev/zero', /^--from-report must be a storm report file/],
    [notJson, /^--from-report must be a storm report in JSON/],
    [noFlags, /^--from-report has no settings.flags: it was saved by a DataStorm older than --from-report/],
    [saveReport({ count: 5 }), /^--from-report has no settings.flags/],
  ];
  for (const [file, line] of cases) {
    assert.match(flagsFromReport(file).problem ?? '', line, file);
    const parsed = parseStormOptions({ 'from-report': file });
    assert.equal(parsed.problems.length, 1, file);
    assert.match(parsed.problems[0], line);
  }
});

test('a report whose flags are bad is refused like the same flags on the command line', () => {
  const parsed = parseStormOptions({ 'from-report': saveReport({ count: 'ten' }) });
  assert.deepEqual(parsed.problems, ["--count must be a whole number from 1 up (got 'ten')"]);
});
