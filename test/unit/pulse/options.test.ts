import assert from 'node:assert/strict';
import { test } from 'node:test';
import { influxFromFlags } from '../../../src/influx/influx-options.js';
import { OptionChecks } from '../../../src/option-checks.js';
import { defaults, parsePulseOptions } from '../../../src/pulse/options.js';

const BAD: [Record<string, unknown>, RegExp][] = [
  [{ store: 'everything' }, /^--store must be points or counts \(got 'everything'\)$/],
  [{ workers: '0' }, /^--workers must be a whole number from 1 to 256 \(got '0'\)$/],
  [{ 'flush-points': '0' }, /^--flush-points must be a whole number from 1 up/],
  [{ 'flush-ms': '5' }, /^--flush-ms must be a whole number of milliseconds from 10 up \(got '5'\)$/],
  [{ count: 'x' }, /^--count must be a whole number from 1 up/],
  [{ 'until-idle': '0' }, /^--until-idle must be a whole number from 1 up/],
  [{ minutes: '-3' }, /^--minutes must be a whole number from 1 up/],
  [{ 'influx-url': 'ftp://x' }, /^--influx-url must be an http:\/\/ or https:\/\/ URL/],
  [{ 'influx-token': 'two words' }, /^--influx-token must be a token without spaces \(got one with\)$/],
  [{ 'influx-org': '' }, /^--influx-org must not be empty$/],
  [{ 'dead-letter': 'bad name!' }, /^--dead-letter must be 1-249 characters/],
  [{ 'dead-letter': 'tweets' }, /^--dead-letter must be another topic than --topic \(got 'tweets'\)$/],
  [{ bootstrap: 'kafka' }, /^--bootstrap must be host:port/],
  [{ topic: 'no such' }, /^--topic must be 1-249 characters/],
];

for (const [raw, want] of BAD) {
  test(`pulse ${JSON.stringify(raw)} → one problem`, () => {
    const { problems, request } = parsePulseOptions(raw, {});
    assert.equal(request, undefined);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], want);
  });
}

test('pulse: the token is never echoed, every problem is listed', () => {
  const { problems } = parsePulseOptions({ 'influx-token': 'hunter2 x', store: 'x', workers: '999' }, {});
  assert.equal(problems.length, 3);
  assert.ok(!problems.join('\n').includes('hunter2'));
});

test('pulse: the token from --influx-token, else DATASTORM_INFLUX_TOKEN, else none (the CLI looks locally)', () => {
  assert.equal(parsePulseOptions({ 'influx-token': 'a' }, { DATASTORM_INFLUX_TOKEN: 'b' }).request?.influx.token, 'a');
  assert.equal(parsePulseOptions({}, { DATASTORM_INFLUX_TOKEN: 'b' }).request?.influx.token, 'b');
  assert.equal(parsePulseOptions({}, {}).request?.influx.token, undefined);
});

test('pulse defaults, URL without its trailing slash, --summary, --dead-letter', () => {
  const r = parsePulseOptions({}, {}).request;
  assert.ok(r);
  assert.equal(r.store, 'counts');
  assert.deepEqual(r.influx, { ...defaults.influx, token: undefined });
  assert.equal(r.flushPoints, 5000);
  assert.equal(r.summaryMinutes, undefined);
  assert.equal(r.deadLetter, undefined);
  const s = parsePulseOptions(
    { 'influx-url': 'http://h:1/', summary: true, minutes: '5', 'until-idle': '3', 'dead-letter': 'poison' },
    {},
  ).request;
  assert.equal(s?.influx.url, 'http://h:1');
  assert.equal(s?.summaryMinutes, 5);
  assert.equal(s?.untilIdle, 3);
  assert.equal(s?.deadLetter, 'poison');
});

test('pulse: --influx-ca is a file, for an https --influx-url only (storm and dashboard read the same flags)', () => {
  const https = { 'influx-url': 'https://influx.example:8086/' };
  const ok = parsePulseOptions({ ...https, 'influx-ca': '/etc/hostname' }, {});
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.request?.influx.caFile, '/etc/hostname');
  assert.equal(ok.request?.influx.url, 'https://influx.example:8086');
  assert.equal(parsePulseOptions(https, {}).request?.influx.caFile, undefined, 'no CA: the system trust store');
  assert.deepEqual(parsePulseOptions({ 'influx-ca': '/etc/hostname', 'influx-bucket': ' ' }, {}).problems, [
    '--influx-bucket must not be empty',
    "--influx-ca needs an https:// --influx-url (got 'http://127.0.0.1:8086')",
  ]);
  assert.deepEqual(parsePulseOptions({ ...https, 'influx-ca': '/etc' }, {}).problems, [
    "--influx-ca must be a PEM file of the CA that signed InfluxDB's certificate (got '/etc')",
  ]);
  const checks = new OptionChecks();
  const influx = influxFromFlags(checks, { ...https, 'influx-ca': '/nonexistent', 'influx-token': 'a b' }, {});
  assert.equal(checks.problems.length, 2, checks.problems.join('\n'));
  assert.equal(influx.url, 'https://influx.example:8086');
});
