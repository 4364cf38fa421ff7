/**
 * Poison messages: records that are not tweets of the schema, in several partitions between real tweets. Pulse goes
 * on, sums exactly what the tweets say, counts the poison per partition, and copies each record to the dead-letter
 * topic with where it came from; verify counts them too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import avro from 'avsc';
import Kafka from 'node-rdkafka';
import type { PulseReport } from '../../../src/report/pulse-report.js';
import { produceRaw } from '../../helpers/produce.js';
import { pulseArgs } from '../../helpers/pulse-cli.js';
import { bootstrap, freshBucket, run, sentimentTotals, uniqueTopic } from '../../helpers/services.js';
import { stormJson, verifyJson } from '../../helpers/storm-cli.js';

test('poison in 3 partitions: pulse goes on, sums exact, the dead-letter topic holds exactly the poison', async () => {
  const topic = uniqueTopic('poison');
  const dead = `${topic}-dead`;
  await stormJson(['--topic', topic, '--count', '30000', '--partitions', '3', '--sentiment', '50,30,20']);
  // Not Avro; empty; a tombstone; a truncated tweet (a storm tweet's first bytes); a record of another schema.
  const other = avro.Type.forSchema({ type: 'record', name: 'Order', fields: [{ name: 'sku', type: 'string' }] });
  const poison: [number, Buffer | null][] = [
    [0, Buffer.from('{"not": "avro"}')],
    [1, Buffer.alloc(0)],
    [2, null],
    [0, Buffer.from([0x10, 0x61, 0x62])],
    [1, other.toBuffer({ sku: 'x-42' })],
    [2, Buffer.from('hello')],
  ];
  await produceRaw(topic, poison);
  await stormJson(['--topic', topic, '--count', '30000', '--sentiment', '50,30,20']);

  const bucket = await freshBucket('poison');
  const r = await run(process.execPath, pulseArgs(topic, bucket, ['--dead-letter', dead, '--workers', '2']));
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as PulseReport;
  assert.equal(rep.undecodable, poison.length);
  assert.deepEqual(rep.undecodableByPartition, { 0: 2, 1: 2, 2: 2 });
  assert.equal(rep.deadLettered, poison.length);
  assert.equal(rep.consumed, 60_000);
  assert.deepEqual(await sentimentTotals(bucket), { positive: 30_000, negative: 18_000, neutral: 12_000 });

  // The dead-letter topic: exactly the poison records, bytes as they were, with their source in headers.
  const copies = await readWithHeaders(dead, poison.length);
  const got = copies.map((m) => [m.headers['datastorm-source-partition'], m.value]);
  const want = poison.map(([p, v]) => [String(p), (v ?? Buffer.alloc(0)).toString('hex')]);
  assert.deepEqual(got.sort(), want.sort());
  assert.ok(
    copies.every(
      (m) => m.headers['datastorm-source-topic'] === topic && /^\d+$/.test(m.headers['datastorm-source-offset']),
    ),
  );

  const v = await verifyJson(topic);
  assert.equal(v.report.undecodable, poison.length);
  assert.equal(v.report.received, 60_000);
  assert.equal(v.report.lost, 0);
});

/** The first n records of a one-partition topic, with their headers as strings. */
async function readWithHeaders(
  topic: string,
  n: number,
): Promise<{ value: string; headers: Record<string, string> }[]> {
  const c = new Kafka.KafkaConsumer(
    { 'group.id': `headers-${Date.now()}`, 'metadata.broker.list': bootstrap(), 'enable.auto.commit': false },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((res, rej) => c.connect({ timeout: 10_000 }, (e) => (e ? rej(e) : res())));
  c.assign([{ topic, partition: 0, offset: 0 }]);
  const out: { value: string; headers: Record<string, string> }[] = [];
  const deadline = Date.now() + 30_000;
  while (out.length < n && Date.now() < deadline) {
    const batch = await new Promise<Kafka.Message[]>((res, rej) => c.consume(n, (e, m) => (e ? rej(e) : res(m))));
    for (const m of batch) {
      const headers: Record<string, string> = {};
      for (const h of m.headers ?? []) for (const [k, v] of Object.entries(h)) headers[k] = String(v);
      out.push({ value: (m.value ?? Buffer.alloc(0)).toString('hex'), headers });
    }
  }
  await new Promise<void>((r) => c.disconnect(() => r()));
  return out;
}
