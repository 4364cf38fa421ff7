/**
 * Pass or fail in a pipeline, end to end against the test cluster: thresholds that hold give exit 0 and ones that
 * cannot hold (rate>=10M on this machine) exit 99, the report printed either way; abort-on-fail stops a run within its
 * grace period and the report says why; the JUnit files validate against Jenkins' junit-10.xsd with the right counts
 * (storm, verify with its own checks, pulse); the Markdown summary gives the verdict; a file that cannot be written is
 * one error line after the report; a scenario file's thresholds apply with the command line's.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { PulseReport } from '../../../src/report/pulse-report.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import type { VerifyReport } from '../../../src/report/verify-report.js';
import { junitCounts, validateJUnit } from '../../helpers/junit-xsd.js';
import { pulseArgs } from '../../helpers/pulse-cli.js';
import { bootstrap, freshBucket, run, uniqueTopic } from '../../helpers/services.js';
import { CLI, stormArgs } from '../../helpers/storm-cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-'));
const THRESHOLD_EXIT = 99;
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('datastorm: error: '));

function assertValidJUnit(file: string, cases: number, failed: number): void {
  const verdict = validateJUnit(file);
  assert.ok(verdict.valid, verdict.reasons);
  assert.deepEqual(junitCounts(file), { cases, failed, suiteTests: cases, suiteFailures: failed });
}

/** A storm in text (the way a CI log shows it), with --junit and --summary-md into the test's directory. */
async function stormGate(name: string, extra: string[]) {
  const junit = path.join(dir, `${name}.xml`);
  const summary = path.join(dir, `${name}.md`);
  const args = stormArgs([
    '--topic',
    uniqueTopic(name),
    '--workers',
    '2',
    '--junit',
    junit,
    '--summary-md',
    summary,
    ...extra,
  ]).filter((a) => a !== '--json');
  const r = await run(process.execPath, args, {}, 180_000);
  return { r, junit, summary };
}

test('thresholds that hold: exit 0, each listed with its value and ✓, JUnit valid with no failure', async () => {
  const { r, junit, summary } = await stormGate('holds', [
    '--rate',
    '20k',
    '--duration',
    '4',
    '--threshold',
    'rate>=1k',
    '--threshold',
    'failed==0',
    '--threshold',
    'p(99)<30s',
    '--threshold',
    'intended.p99<60s',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /acknowledged/);
  assert.match(r.stdout, /\n {2}thresholds: {4}all 4 passed\n/);
  assert.match(r.stdout, /\n {4}✓ rate>=1k +rate [\d,]+\/s\n/);
  assert.match(r.stdout, /\n {4}✓ failed==0 +failed 0\n/);
  assertValidJUnit(junit, 4, 0);
  assert.match(fs.readFileSync(summary, 'utf8'), /^\*\*✅ all 4 passed\*\*$/m);
});

test('a threshold this machine cannot meet: exit 99, the report printed, JUnit valid with one failure', async () => {
  const { r, junit, summary } = await stormGate('fails', [
    '--count',
    '50000',
    '--threshold',
    'rate>=10M',
    '--threshold',
    'failed==0',
  ]);
  assert.equal(r.code, THRESHOLD_EXIT, r.stderr);
  assert.deepEqual(errorLines(r.stderr), [], 'a failed threshold is a verdict, not an error');
  assert.match(r.stdout, /acknowledged: +50,000/);
  assert.match(r.stdout, /\n {2}thresholds: {4}1 of 2 FAILED\n/);
  assert.match(r.stdout, /\n {4}✗ rate>=10M +rate [\d,]+\/s\n/);
  assertValidJUnit(junit, 2, 1);
  assert.match(fs.readFileSync(summary, 'utf8'), /^\| ❌ \| `rate>=10M` \| rate [\d,]+\/s \|$/m);
});

test('abort-on-fail stops the run within its grace period, and the report says which threshold and why', async () => {
  const started = Date.now();
  const r = await run(
    process.execPath,
    stormArgs([
      '--topic',
      uniqueTopic('abort'),
      '--workers',
      '2',
      '--rate',
      '20k',
      '--duration',
      '120',
      '--threshold',
      'rate>=10M abort-on-fail=2s',
      '--threshold',
      'p99<60s abort-on-fail',
    ]),
    {},
    180_000,
  );
  const tookSec = (Date.now() - started) / 1000;
  assert.equal(r.code, THRESHOLD_EXIT, r.stderr);
  const report = JSON.parse(r.stdout) as StormReport;
  const aborted = report.thresholds?.aborted;
  assert.equal(aborted?.expr, 'rate>=10M abort-on-fail=2s');
  assert.ok(aborted && aborted.failingSec >= 2 && aborted.failingSec < 3.5, `failing for ${aborted?.failingSec} s`);
  // Production stops within the grace period plus one tick and the flush of what was in flight.
  assert.ok(report.elapsedSec < 2 + 2.5, `produced for ${report.elapsedSec} s`);
  assert.ok(tookSec < 60, `the command took ${tookSec} s of its 120`);
  assert.equal(report.stoppedEarly, false, 'not a Ctrl-C: the threshold stopped it');
  assert.deepEqual(
    report.thresholds?.results.map((t) => [t.expr, t.passed]),
    [
      ['rate>=10M abort-on-fail=2s', false],
      ['p99<60s abort-on-fail', true],
    ],
  );
  assert.ok(
    report.notes.some((n) => n.includes("by the threshold 'rate>=10M abort-on-fail=2s'")),
    report.notes.join(),
  );
  assert.match(r.stderr, /threshold 'rate>=10M abort-on-fail=2s' failed every second for [\d.]+ s: stopping/);
});

test('a latency threshold aborts too (from the intended send time, grace 0)', async () => {
  const r = await run(
    process.execPath,
    stormArgs([
      '--topic',
      uniqueTopic('abortlat'),
      '--workers',
      '1',
      '--rate',
      '5k',
      '--duration',
      '60',
      '--threshold',
      'intended.p99<1ms abort-on-fail=0',
    ]),
    {},
    180_000,
  );
  assert.equal(r.code, THRESHOLD_EXIT, r.stderr);
  const report = JSON.parse(r.stdout) as StormReport;
  assert.equal(report.thresholds?.aborted?.expr, 'intended.p99<1ms abort-on-fail=0');
  assert.ok(report.elapsedSec < 5, `produced for ${report.elapsedSec} s`);
});

test('--junit that cannot be written: one error line naming it, after the whole report, exit 15 (OUTPUT)', async () => {
  const r = await run(
    process.execPath,
    stormArgs(['--topic', uniqueTopic('full'), '--count', '1000', '--threshold', 'failed==0', '--junit', '/dev/full']),
    {},
    180_000,
  );
  assert.equal(r.code, 15, r.stderr);
  assert.equal((JSON.parse(r.stdout) as StormReport).acknowledged, 1000);
  assert.deepEqual(errorLines(r.stderr), ['datastorm: error: --junit /dev/full: cannot write it (ENOSPC)']);
});

test("a scenario file's thresholds and the command line's all apply; run-again keeps them", async () => {
  const scenario = path.join(dir, 'gate.yaml');
  fs.writeFileSync(scenario, 'description: gate\nrate: 10k\nduration: 3\nthresholds: [failed==0, "rate>=1k"]\n');
  const r = await run(
    process.execPath,
    stormArgs(['--topic', uniqueTopic('scen'), '--scenario', scenario, '--threshold', 'p99<60s']),
    {},
    180_000,
  );
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as StormReport;
  assert.deepEqual(
    report.thresholds?.results.map((t) => t.expr),
    ['failed==0', 'rate>=1k', 'p99<60s'],
  );
  assert.deepEqual(report.settings.flags.threshold, ['failed==0', 'rate>=1k', 'p99<60s']);
});

test('verify: its own checks and the thresholds in one JUnit suite; a failed threshold alone is exit 99', async () => {
  const topic = uniqueTopic('vgate');
  const runId = `vgate-${Date.now()}`;
  const produced = await run(process.execPath, stormArgs(['--topic', topic, '--count', '20000', '--run-id', runId]));
  assert.equal(produced.code, 0, produced.stderr);
  const junit = path.join(dir, 'verify.xml');
  const verifyArgs = (threshold: string) => [
    CLI,
    'verify',
    '--bootstrap',
    bootstrap(),
    '--topic',
    topic,
    '--run',
    runId,
    '--json',
    '--threshold',
    'duplicated==0',
    '--threshold',
    threshold,
    '--junit',
    junit,
  ];
  const ok = await run(process.execPath, verifyArgs('lost==0'));
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as VerifyReport).thresholds?.passed, true);
  assertValidJUnit(junit, 4, 0);
  const bad = await run(process.execPath, verifyArgs('received>=1M'));
  assert.equal(bad.code, THRESHOLD_EXIT, bad.stderr);
  assertValidJUnit(junit, 4, 1);
});

test('pulse: lag and freshness thresholds judged on its report, JUnit valid, 99 when one fails', async () => {
  const topic = uniqueTopic('pgate');
  const produced = await run(process.execPath, stormArgs(['--topic', topic, '--count', '30000']));
  assert.equal(produced.code, 0, produced.stderr);
  const bucket = await freshBucket('pgate');
  const junit = path.join(dir, 'pulse.xml');
  const r = await run(
    process.execPath,
    pulseArgs(topic, bucket, [
      '--threshold',
      'lag==0',
      '--threshold',
      'freshness.p99<10m',
      '--threshold',
      'rate>=10M',
      '--threshold',
      'write-errors==0',
      '--junit',
      junit,
    ]),
    {},
    180_000,
  );
  assert.equal(r.code, THRESHOLD_EXIT, r.stderr);
  const report = JSON.parse(r.stdout) as PulseReport;
  assert.equal(report.consumed >= 30_000, true);
  assert.deepEqual(
    report.thresholds?.results.map((t) => [t.expr, t.passed]),
    [
      ['lag==0', true],
      ['freshness.p99<10m', true],
      ['rate>=10M', false],
      ['write-errors==0', true],
    ],
  );
  assert.ok(report.lag.most >= 0, `the most lag seen: ${report.lag.most}`);
  assertValidJUnit(junit, 4, 1);
  // Live: a bar no known lag meets stops pulse at its first reading, and its report says which.
  const live = await run(
    process.execPath,
    pulseArgs(topic, bucket, ['--threshold', 'lag<0 abort-on-fail=0', '--until-idle', '30'], `live-${topic}`),
    {},
    180_000,
  );
  assert.equal(live.code, THRESHOLD_EXIT, live.stderr);
  const stopped = JSON.parse(live.stdout) as PulseReport;
  assert.equal(stopped.thresholds?.aborted?.expr, 'lag<0 abort-on-fail=0');
  assert.ok(stopped.elapsedSec < 25, `stopped after ${stopped.elapsedSec} s, not idle 30 s after the topic's end`);
});
