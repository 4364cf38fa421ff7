/**
 * The native boundary never fails silently, tried against the real test cluster: a CA chain of more than 8 KB given
 * inline in a Java client.properties (ssl.truststore.certificates) reaches librdkafka whole and a storm connects over
 * TLS with it; a full queue hands back an exact prefix and the re-sent rest goes out once (the topic holds every
 * message once); connecting runs off the event loop (timers keep firing while Kafka does not answer); a handle of
 * one kind is refused for another, and a closed one is refused by name.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DataStormError } from '../../../src/errors.js';
import { ensureTopic, topicMessageCount } from '../../../src/kafka/admin.js';
import { addon, type Handle } from '../../../src/kafka/native/addon.js';
import { BatchConsumer } from '../../../src/kafka/native/batch-consumer.js';
import { BatchProducer } from '../../../src/kafka/native/batch-producer.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import { bootstrap, kafkaConfig, redisUrl, run, securedBootstrap, uniqueTopic } from '../../helpers/services.js';
import { CLI } from '../../helpers/storm-cli.js';

/** A self-signed CA certificate of openssl's making (a stranger in the chain: trusted, never used). */
function strangerCa(dir: string, i: number): string {
  const key = path.join(dir, `stranger-${i}.key`);
  const cert = path.join(dir, `stranger-${i}.pem`);
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:4096', '-nodes', '-days', '2', '-subj', `/CN=stranger-${i}`],
      ...['-keyout', key, '-out', cert],
    ],
    { stdio: 'ignore' },
  );
  return fs.readFileSync(cert, 'utf8');
}

/** The secured client.properties with its CA file replaced by the CA and strangers inline, as Java writes it. */
function inlineChainProperties(dir: string): { file: string; chainBytes: number } {
  const original = fs.readFileSync(kafkaConfig(), 'utf8');
  const caFile = /^ssl\.truststore\.location=(.*)$/m.exec(original)?.[1];
  assert.ok(caFile, 'the secured client.properties names its CA file');
  const strangers = [1, 2, 3, 4, 5].map((i) => strangerCa(dir, i));
  const chain = [...strangers.slice(0, 3), fs.readFileSync(caFile, 'utf8'), ...strangers.slice(3)].join('');
  const escaped = chain.trim().replace(/\n/g, '\\n');
  const lines = original
    .split('\n')
    .filter((line) => !line.startsWith('ssl.truststore.location='))
    .concat(`ssl.truststore.certificates=${escaped}`);
  const file = path.join(dir, 'client-inline-ca.properties');
  fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { file, chainBytes: Buffer.byteLength(chain) };
}

test('a CA chain of more than 8 KB inline in client.properties: a storm connects over TLS with it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-inline-ca-'));
  try {
    const { file, chainBytes } = inlineChainProperties(dir);
    assert.ok(chainBytes > 8192, `the chain is ${chainBytes} bytes`);
    const topic = uniqueTopic('inline-ca');
    const args = ['storm', '--bootstrap', securedBootstrap(), '--kafka-config', file, '--redis', redisUrl()];
    const r = await run(
      process.execPath,
      [CLI, ...args, '--topic', topic, '--count', '5000', '--json', '--no-save', '--quiet', '--workers', '1'],
      {},
      180_000,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as StormReport).acknowledged, 5000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** n messages "0".."n-1" packed as produceBuffers takes them. */
function packed(n: number) {
  const texts = Array.from({ length: n }, (_, i) => String(i));
  const payloads = Buffer.from(texts.join(''));
  const payloadEnds = new Uint32Array(n);
  let end = 0;
  texts.forEach((t, i) => {
    end += t.length;
    payloadEnds[i] = end;
  });
  return { payloads, payloadEnds, keys: null, keyEnds: null };
}

const settle = async (p: BatchProducer, deadlineMs: number) => {
  while (p.inFlight() > 0 && Date.now() < deadlineMs) await new Promise((r) => setTimeout(r, 20));
};

test('a full queue hands back an exact prefix; the rest, sent again, goes out once', async () => {
  const topic = uniqueTopic('queue-full');
  await ensureTopic(bootstrap(), { topic, partitions: 3, replication: 1, config: {} });
  const producer = await new BatchProducer(
    { 'metadata.broker.list': bootstrap(), 'queue.buffering.max.messages': 100, 'linger.ms': 20 },
    topic,
  ).connect();
  const n = 2500;
  const batch = packed(n);
  let from = 0;
  let calls = 0;
  let shortCalls = 0;
  const deadline = Date.now() + 60_000;
  try {
    while (from < n && Date.now() < deadline) {
      const before = producer.counts().produced;
      const accepted = producer.produceBuffers(batch, from, n);
      assert.equal(producer.counts().produced - before, accepted, 'counted produced = the prefix handed back');
      calls++;
      if (from + accepted < n) shortCalls++;
      from += accepted;
      if (from < n) await settle(producer, deadline);
    }
    await settle(producer, deadline);
    assert.equal(from, n);
    assert.ok(shortCalls > 0, `the queue was full at least once (${calls} calls)`);
    const counts = producer.counts();
    assert.deepEqual([counts.produced, counts.acked, counts.failed], [n, n, 0]);
  } finally {
    producer.close();
  }
  assert.equal((await topicMessageCount(bootstrap(), topic)).total, n, 'every message once, none twice');
});

test('connecting runs off the event loop, and an unanswered connect is a typed error', async () => {
  const producer = new BatchProducer(
    { 'metadata.broker.list': '127.0.0.1:9', 'socket.connection.setup.timeout.ms': 1000 },
    'nowhere',
  );
  let ticks = 0;
  const timer = setInterval(() => ticks++, 50);
  const started = Date.now();
  try {
    await assert.rejects(producer.connect(1500), (e: unknown) => {
      assert.ok(e instanceof DataStormError);
      assert.equal(e.code, 'KAFKA_UNREACHABLE');
      assert.ok(e.cause instanceof Error, 'the addon error is kept as the cause');
      return true;
    });
  } finally {
    clearInterval(timer);
    producer.close();
  }
  const tookMs = Date.now() - started;
  assert.ok(ticks >= Math.floor(tookMs / 50) / 2, `${ticks} ticks in ${tookMs} ms: the loop was not blocked`);
  const consumer = new BatchConsumer({ 'metadata.broker.list': '127.0.0.1:9', 'group.id': 'nobody' }, 'nowhere');
  try {
    await assert.rejects(consumer.connect('127.0.0.1:9', 1000), { code: 'KAFKA_UNREACHABLE' });
  } finally {
    consumer.close();
  }
});

test('one handle check: another kind, and a closed handle, are refused by name', async () => {
  const native = addon();
  const consumer = new BatchConsumer({ 'metadata.broker.list': bootstrap(), 'group.id': 'nobody' }, 'nowhere');
  const consumerHandle = (consumer as unknown as { h: Handle }).h;
  const stats = new Float64Array(9);
  assert.throws(() => native.producerStats(consumerHandle, stats), {
    code: 'NATIVE',
    message: 'not a producer handle',
  });
  assert.throws(() => native.producerStats({} as Handle, stats), { code: 'NATIVE', message: 'not a producer handle' });
  consumer.close();
  assert.throws(() => native.consumerStats(consumerHandle), { code: 'NATIVE', message: 'consumer is closed' });
  native.consumerClose(consumerHandle); // closing twice is allowed
});
