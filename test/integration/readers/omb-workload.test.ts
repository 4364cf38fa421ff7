/**
 * OpenMessaging Benchmark's own workload files (benchmarks/omb/workloads, copied unchanged) run as they are with
 * --omb-workload, shortened (a few seconds, a rate this machine's test cluster takes beside the rest of the suite):
 * every subscription reads exactly what was written, and --omb-result writes OMB's result file, which a Python
 * reader checks field by field. A workload DataStorm cannot honour is refused, naming the field.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { StormReport } from '../../../src/report/storm-report.js';
import { bootstrap, ROOT, run } from '../../helpers/services.js';
import { stormArgs, stormJson } from '../../helpers/storm-cli.js';

const WORKLOADS = path.join(ROOT, 'benchmarks/omb/workloads');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-omb-'));
const SHORT = ['--duration', '7s', '--warmup', '1s'];

/** The copied workloads DataStorm runs, with the rate each runs at here (theirs reach 10M/s). */
const RUNS: [file: string, rate: string][] = [
  ['1-topic-1-partition-1kb.yaml', '10000'],
  ['1-topic-1-partition-100b.yaml', '10000'],
  ['1-topic-6-partition-100b.yaml', '10000'],
  ['1-topic-16-partitions-1kb.yaml', '10000'],
  ['1-topic-100-partitions-1kb-4p-4c-200k.yaml', '4000'],
  ['max-rate-1-topic-1-partition-1p-1c-1kb.yaml', '10000'],
];

test("OMB's backlog workload: its consumerBacklogSizeGB becomes --backlog, and the readers catch up", async () => {
  // 512 GB and 100 partitions with 4 producers and 4 consumers do not fit this machine beside the test suite: flags on
  // the command line win, as any flag does (test/unit/scenario/omb-workload.test.ts holds the file's own mapping).
  const file = path.join(WORKLOADS, '1-topic-100-partitions-1kb-4p-4c-200k-backlog.yaml');
  const smaller = ['--partitions', '6', '--workers', '1', '--consumers', '2'];
  const args = ['--omb-workload', file, ...SHORT, ...smaller, '--rate', '4000', '--backlog', '4000'];
  const { report } = await stormJson(args, 240_000);
  const r = report.readers;
  assert.ok(r?.backlog, 'the report has the backlog');
  assert.deepEqual(r.backlog.asked, { messages: 4000 });
  assert.equal(r.backlog.neverBuilt, false, JSON.stringify(r.backlog));
  assert.ok(r.backlog.messages >= 4000);
  for (const g of r.groups) {
    assert.equal(g.consumed, r.written);
    assert.ok(g.catchUp && g.catchUp.sec !== null, JSON.stringify(g.catchUp));
  }
  const refused = await run(process.execPath, stormArgs(['--omb-workload', file, '--backlog', '3x']), {}, 30_000);
  assert.equal(refused.code, 2);
});

for (const [file, rate] of RUNS)
  test(`OMB's ${file} runs as it is: each subscription reads all, and its result file reads as OMB's`, async () => {
    const result = path.join(dir, `${file}.json`);
    const args = ['--omb-workload', path.join(WORKLOADS, file), ...SHORT, '--rate', rate, '--omb-result', result];
    const { report } = await stormJson(args, 240_000);
    const workload = readWorkload(file);
    assert.equal(report.settings.partitions, workload.partitionsPerTopic);
    assert.equal(report.children.workers, workload.producersPerTopic);
    assertReaders(report, workload);
    const check = await run('python3', [path.join(ROOT, 'test/helpers/omb_result_check.py'), result], {}, 30_000);
    assert.equal(check.code, 0, check.stdout);
    const omb = JSON.parse(fs.readFileSync(result, 'utf8'));
    assert.equal(omb.workload, workload.name);
    assert.equal(omb.messageSize, workload.messageSize);
    assert.equal(omb.partitions, workload.partitionsPerTopic);
    assert.ok(Number(check.stdout.trim()) >= 1, 'at least one 10-second period');
    // Periods hold what was acknowledged after the warm-up: never more than the rate allows (a loaded test machine
    // may fall behind it, which the report's publish delay shows).
    const mean = omb.publishRate.reduce((a: number, b: number) => a + b, 0) / omb.publishRate.length;
    assert.ok(mean > 0 && mean < Number(rate) * 1.3, `publish rate ${mean}`);
    assert.ok(omb.consumeRate.every((r: number) => r >= 0));
  });

function readWorkload(file: string): Record<string, number | string> {
  const text = fs.readFileSync(path.join(WORKLOADS, file), 'utf8');
  const fields: Record<string, number | string> = {};
  for (const m of text.matchAll(/^(\w+):\s*"?([^"\n#]*?)"?\s*$/gm))
    fields[m[1]] = /^\d+(\.\d+)?$/.test(m[2]) ? Number(m[2]) : m[2];
  return fields;
}

function assertReaders(report: StormReport, w: Record<string, number | string>): void {
  const readers = report.readers;
  assert.ok(readers);
  assert.equal(readers.groups.length, w.subscriptionsPerTopic);
  for (const g of readers.groups) {
    assert.equal(g.members, w.consumerPerSubscription);
    assert.equal(g.consumed, readers.written, `${g.group} read all the run wrote`);
    assert.equal(g.missed, 0);
    assert.ok(g.endToEndMs && g.endToEndMs.p50 > 0);
  }
}

test('what DataStorm cannot honour in a workload is refused by field, before anything is produced', async () => {
  const refusals: [string, RegExp][] = [
    ['100-topics-1-partitions-1kb.yaml', /topics: 100: DataStorm writes one topic per run/],
  ];
  for (const [file, line] of refusals) {
    const r = await run(process.execPath, stormArgs(['--omb-workload', path.join(WORKLOADS, file)]), {}, 30_000);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, line);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const bad = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const base =
    'topics: 1\npartitionsPerTopic: 1\nsubscriptionsPerTopic: 1\nconsumerPerSubscription: 1\n' +
    'producersPerTopic: 1\nproducerRate: 1000\ntestDurationMinutes: 1\n';
  const cases: [string, RegExp][] = [
    [
      `${base}messageSize: 100\nuseRandomizedPayloads: true\nrandomizedPayloadPoolSize: 10\nsubscriptionPerTopic: 1\n`,
      /'subscriptionPerTopic' is not a field of OpenMessaging Benchmark's workload/,
    ],
    [
      `${base.replace('partitionsPerTopic: 1', 'partitionsPerTopic: -3')}messageSize: 100\npayloadFile: x.data\n`,
      /partitionsPerTopic must be a whole number of 1 or more \(got -3\)/,
    ],
    [`${base}messageSize: 100\npayloadFile: "payload/none.data"\n`, /payloadFile payload\/none\.data: no such file/],
    [
      `${base}messageSize: 1000\npayloadFile: "${path.join(ROOT, 'benchmarks/omb/payload/payload-1Kb.data')}"\n`,
      /is 1024 bytes, messageSize says 1000/,
    ],
  ];
  for (const [text, line] of cases) {
    const r = await run(process.execPath, stormArgs(['--omb-workload', bad('w.yaml', text)]), {}, 30_000);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, line);
  }
});

test("OMB's kafka-sync driver with a workload: its producer, consumer and topic settings are the run's", async () => {
  const driver = path.join(ROOT, 'benchmarks/omb/driver-kafka/kafka-sync.yaml');
  const workload = path.join(WORKLOADS, '1-topic-6-partition-100b.yaml');
  const args = ['--omb-workload', workload, '--omb-driver', driver, ...SHORT, '--rate', '2000'];
  const { report } = await stormJson(args, 240_000);
  const s = report.settings;
  assert.deepEqual(
    [s.acks, s.idempotence, s.lingerMs, s.batchBytes, s.compression],
    ['all', true, 1, 1048576, 'none'],
    'its producerConfig, and the Java client default where it says nothing (no compression)',
  );
  assert.deepEqual(s.readerClient, { 'enable.auto.commit': 'false', 'max.partition.fetch.bytes': '10485760' });
  assert.deepEqual(s.topicConfig, { 'min.insync.replicas': '2', 'flush.messages': '1', 'flush.ms': '0' });
  for (const g of report.readers?.groups ?? []) assert.equal(g.consumed, report.readers?.written);
  assert.ok(report.readers?.groups.length === 1, 'its one subscription reads');
  // The brokers say what the topic was made with, asked by confluent-kafka.
  const python = process.env.DATASTORM_TEST_PYTHON ?? 'python3';
  const asked = await run(python, [path.join(ROOT, 'test/helpers/topic_configs.py'), bootstrap(), s.topic], {});
  assert.equal(asked.code, 0, asked.stderr);
  const configs = JSON.parse(asked.stdout);
  assert.equal(configs._replication, 3);
  assert.equal(configs['min.insync.replicas'], '2');
  assert.equal(configs['flush.messages'], '1');
  assert.equal(configs['flush.ms'], '0');
});

test('a driver file DataStorm cannot honour is refused before anything is written, naming the setting', async () => {
  const driver = path.join(ROOT, 'benchmarks/omb/driver-kafka/kafka-throughput.yaml');
  const refused = await run(process.execPath, stormArgs(['--omb-driver', driver, '--count', '10']), {}, 30_000);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--omb-driver .*kafka-throughput\.yaml: commonConfig: .*request\.timeout\.ms/);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
});

test("producerRate 0 steps the rate up (--find-max), each step judged on the readers' backlog too", async () => {
  const text = fs.readFileSync(path.join(WORKLOADS, '1-topic-1-partition-100b.yaml'), 'utf8');
  const payload = path.join(ROOT, 'benchmarks/omb/payload/payload-100b.data');
  const file = path.join(dir, 'rate-0.yaml');
  fs.writeFileSync(
    file,
    text.replace(/^producerRate: .*$/m, 'producerRate: 0').replace(/^payloadFile: .*$/m, `payloadFile: "${payload}"`),
  );
  // The staircase bounded so the test stays short; the workload's own 0 gives find-max's defaults.
  const args = ['--omb-workload', file, '--find-max', 'start=2k,step=2k,every=3s,max=4k', ...SHORT];
  const { report } = await stormJson(args, 240_000);
  const steps = report.findMax?.steps ?? [];
  assert.ok(steps.length >= 1, JSON.stringify(report.findMax));
  for (const s of steps) assert.equal(typeof s.readersBehind, 'number', JSON.stringify(s));
  const [g] = report.readers?.groups ?? [];
  assert.equal(g.consumed, report.readers?.written, 'every message read');
});
