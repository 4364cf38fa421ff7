/**
 * OpenMessaging Benchmark's Kafka driver files as storm options: the producer's settings DataStorm owns become its
 * flags (the Java client's defaults where the file is silent, as OMB's producers run), the rest go to the role they
 * were written for, and what cannot be honoured is refused by name.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../../src/local/services.js';
import { loadOmbDriver } from '../../../src/storm/omb-driver.js';
import { parseStormOptions } from '../../../src/storm/options.js';

const DRIVERS = path.join(ROOT, 'benchmarks/omb/driver-kafka');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-omb-driver-'));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

test("OMB's kafka-latency driver: producer settings are flags, the consumer's the readers', the topic's kept", () => {
  const d = loadOmbDriver(path.join(DRIVERS, 'kafka-latency.yaml'));
  assert.deepEqual(d.problems, []);
  assert.equal(d.name, 'Kafka');
  assert.deepEqual(d.flags, {
    replication: '3',
    bootstrap: 'localhost:9092',
    acks: 'all',
    'linger-ms': '1',
    'batch-bytes': '131072',
    compression: 'none', // the Java client's default: the file names none
    idempotence: true,
  });
  assert.deepEqual(d.topic, { 'min.insync.replicas': '2' });
  assert.deepEqual(d.common, {});
  assert.deepEqual(d.producer, {});
  assert.deepEqual(d.consumer, { 'enable.auto.commit': 'false', 'max.partition.fetch.bytes': '10485760' });
});

test("every copied driver file but kafka-throughput's is taken; its request timeout is above librdkafka's most", () => {
  for (const file of fs.readdirSync(DRIVERS)) {
    const { request, problems } = parseStormOptions({ 'omb-driver': path.join(DRIVERS, file) });
    if (file === 'kafka-throughput.yaml') {
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /kafka-throughput\.yaml: commonConfig: .*"request\.timeout\.ms" value 1200000/);
      continue;
    }
    assert.deepEqual(problems, [], file);
    assert.equal(request?.replication, 3, file);
    assert.equal(request?.acks, 'all', file);
    assert.equal(request?.topicConfig['min.insync.replicas'], '2', file);
    assert.equal(request?.readers, undefined, 'no readers without --consumer-groups');
  }
});

test("the big-batch driver's largest request and the exactly-once driver's retries go to the producers only", () => {
  const big = parseStormOptions({ 'omb-driver': path.join(DRIVERS, 'kafka-big-batches.yaml') }).request;
  assert.deepEqual(big?.producerClient, { 'message.max.bytes': '4194304' });
  assert.equal(big?.compression, 'none');
  assert.equal(big?.lingerMs, 100);
  const once = parseStormOptions({
    'omb-driver': path.join(DRIVERS, 'kafka-exactly-once.yaml'),
    'consumer-groups': '1',
  }).request;
  assert.deepEqual(once?.producerClient, { 'max.in.flight.requests.per.connection': '1', retries: '2147483647' });
  assert.deepEqual(once?.client, {});
  assert.equal(once?.readers?.client?.['enable.auto.commit'], 'false');
  const sync = parseStormOptions({ 'omb-driver': path.join(DRIVERS, 'kafka-sync.yaml') }).request;
  assert.deepEqual(sync?.topicConfig, { 'min.insync.replicas': '2', 'flush.messages': '1', 'flush.ms': '0' });
});

test('the command line wins over the driver file, --topic-config over its topicConfig', () => {
  const { request, problems } = parseStormOptions({
    'omb-driver': path.join(DRIVERS, 'kafka-latency.yaml'),
    bootstrap: '127.0.0.1:19092',
    replication: '1',
    'linger-ms': '7',
    'topic-config': ['min.insync.replicas=1', 'retention.ms=60000'],
  });
  assert.deepEqual(problems, []);
  assert.equal(request?.bootstrap, '127.0.0.1:19092');
  assert.equal(request?.replication, 1);
  assert.equal(request?.lingerMs, 7);
  assert.equal(request?.batchBytes, 131072);
  assert.deepEqual(request?.topicConfig, { 'min.insync.replicas': '1', 'retention.ms': '60000' });
});

test('acks=1 without enable.idempotence runs without it, as the Java client does', () => {
  const file = write('acks1.yaml', 'producerConfig: |\n  acks=1\n');
  const { request, problems } = parseStormOptions({ 'omb-driver': file });
  assert.deepEqual(problems, []);
  assert.equal(request?.acks, '1');
  assert.equal(request?.idempotence, false);
});

test('what a driver file cannot mean is refused, every problem at once, each naming the file and the field', () => {
  const file = write(
    'bad.yaml',
    [
      'name: x',
      'driverClass: io.openmessaging.benchmark.driver.pulsar.PulsarBenchmarkDriver',
      'replicationFactor: 0',
      'reset: true',
      'topicConfig: 3',
      'commonConfig: |',
      '  bootstrap.servers=not a list',
      'producerConfig: |',
      '  batch.num.messages=10',
      '  enable.idempotence=maybe',
      'consumerConfig: |',
      '  group.id=mine',
      '  auto.offset.reset=latest',
      '  no.such.setting=1',
    ].join('\n'),
  );
  const { problems } = parseStormOptions({ 'omb-driver': file });
  const expected = [
    /'reset' is not a field of OpenMessaging Benchmark's Kafka driver/,
    /driverClass must be io\.openmessaging\.benchmark\.driver\.kafka\.KafkaBenchmarkDriver/,
    /replicationFactor must be a whole number of 1 or more \(got 0\)/,
    /topicConfig must be Java properties text/,
    /commonConfig: bootstrap\.servers must be host:port/,
    /producerConfig: enable\.idempotence must be true or false \(got 'maybe'\)/,
    /consumerConfig: auto\.offset\.reset must be earliest .*\(got 'latest'\)/,
    /producerConfig: batch\.num\.messages is set by DataStorm: use --batch-size/,
    /consumerConfig: group\.id is set by DataStorm: use --group/,
    /consumerConfig: librdkafka refused a client setting: .*no\.such\.setting/,
  ];
  for (const re of expected)
    assert.ok(
      problems.some((p) => re.test(p) && p.startsWith(`--omb-driver ${file}: `)),
      `${re}\n${problems.join('\n')}`,
    );
  const missing = parseStormOptions({ 'omb-driver': path.join(dir, 'none.yaml') }).problems;
  assert.match(missing.join('\n'), /--omb-driver .*none\.yaml: cannot read it/);
  const notYaml = parseStormOptions({ 'omb-driver': write('list.yaml', '- a\n- b\n') }).problems;
  assert.match(notYaml.join('\n'), /must be a map of OpenMessaging Benchmark's Kafka driver fields/);
});

test('--topic-config takes key=value pairs only', () => {
  const { problems } = parseStormOptions({ 'topic-config': ['retention.ms=1', '=3', 'Bad Key=1', 'nothing'] });
  assert.equal(problems.filter((p) => p.startsWith('--topic-config must be key=value')).length, 3, problems.join());
});
