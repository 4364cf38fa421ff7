/** verify reads what the cluster kept and agrees with the storm's report; it finds gaps, duplicates and reordering. */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import Kafka from 'node-rdkafka';
import { UNCONFIRMED_WINDOW } from '../../../src/generate/tweet-contract.js';
import { buildPool, encodePrefix, encodeTweet, loadTweetType } from '../../../src/generate/tweet-encoder.js';
import { deleteTopic, ensureTopic } from '../../../src/kafka/admin.js';
import { Rng } from '../../../src/random.js';
import type { VerifyReport } from '../../../src/report/verify-report.js';
import { bootstrap, ROOT, run, uniqueTopic } from '../../helpers/services.js';
import { CLI, stormJson, verifyJson } from '../../helpers/storm-cli.js';

test(
  'verify agrees with two storm runs in one topic: nothing lost, duplicated or reordered; --run selects ' + 'one',
  async () => {
    const topic = uniqueTopic('verify');
    const a = (await stormJson(['--topic', topic, '--count', '120000', '--run-id', `va-${Date.now()}`])).report;
    const b = (await stormJson(['--topic', topic, '--count', '30000', '--run-id', `vb-${Date.now()}`])).report;
    const all = await run(process.execPath, [CLI, 'verify', '--bootstrap', bootstrap(), '--topic', topic, '--json']);
    assert.equal(all.code, 0, all.stderr);
    const r = JSON.parse(all.stdout) as VerifyReport;
    assert.equal(r.received, 150_000);
    assert.equal(r.lost, 0);
    assert.equal(r.duplicated, 0);
    assert.equal(r.outOfOrder, 0);
    assert.ok(r.latencyMs && r.latencyMs.p50 > 0);
    const one = JSON.parse(
      (
        await run(process.execPath, [
          CLI,
          'verify',
          '--bootstrap',
          bootstrap(),
          '--topic',
          topic,
          '--run',
          a.runId,
          '--json',
        ])
      ).stdout,
    ) as VerifyReport;
    assert.equal(one.received, a.acknowledged);
    assert.equal(one.skippedOtherRuns, b.acknowledged);
    assert.ok(one.producers.every((p) => p.producer.startsWith(`${a.runId}/`)));
  },
);

test('a gap and a duplicate are found, and a loss makes verify exit 1', async () => {
  const topic = uniqueTopic('verify-gap');
  await ensureTopic(bootstrap(), { topic, partitions: 1, replication: 1 });
  const type = loadTweetType();
  const pool = buildPool(type, new Rng(5), ['Apple'], 4);
  const prefix = encodePrefix('crafted', 'crafted/p0.0');
  const p = new Kafka.Producer({ 'metadata.broker.list': bootstrap(), dr_cb: true } as Kafka.ProducerGlobalConfig);
  await new Promise<void>((res, rej) => p.connect({ timeout: 10_000 }, (e) => (e ? rej(e) : res())));
  let delivered = 0;
  const seqs = [0, 1, 3, 3, 2]; // 4 and up never sent; 3 twice; 2 after 3 (out of order)
  const done = new Promise<void>((res) => p.on('delivery-report', () => ++delivered === seqs.length && res()));
  p.setPollInterval(10);
  for (const seq of seqs) {
    const out = Buffer.alloc(512);
    const end = encodeTweet(out, 0, prefix, seq, seq, Date.now(), pool.tails[0][0]);
    p.produce(topic, 0, Buffer.from(out.subarray(0, end)));
  }
  await done;
  await new Promise<void>((r) => p.disconnect(() => r()));
  const clean = await run(process.execPath, [CLI, 'verify', '--bootstrap', bootstrap(), '--topic', topic, '--json']);
  assert.equal(clean.code, 0, 'seqs 0..3 are all there: nothing lost');
  const r = JSON.parse(clean.stdout) as VerifyReport;
  assert.deepEqual([r.received, r.lost, r.duplicated, r.outOfOrder], [5, 0, 1, 1]);

  // Now a producer whose seq 1 never arrived.
  const p2 = new Kafka.Producer({ 'metadata.broker.list': bootstrap(), dr_cb: true } as Kafka.ProducerGlobalConfig);
  await new Promise<void>((res, rej) => p2.connect({ timeout: 10_000 }, (e) => (e ? rej(e) : res())));
  const prefix2 = encodePrefix('crafted', 'crafted/p1.0');
  let d2 = 0;
  const done2 = new Promise<void>((res) => p2.on('delivery-report', () => ++d2 === 2 && res()));
  p2.setPollInterval(10);
  for (const seq of [0, 2]) {
    const out = Buffer.alloc(512);
    const end = encodeTweet(out, 0, prefix2, seq, 100 + seq, Date.now(), pool.tails[1][0]);
    p2.produce(topic, 0, Buffer.from(out.subarray(0, end)));
  }
  await done2;
  await new Promise<void>((r) => p2.disconnect(() => r()));
  const lossy = await run(process.execPath, [CLI, 'verify', '--bootstrap', bootstrap(), '--topic', topic]);
  assert.equal(lossy.code, 1);
  assert.match(lossy.stdout, /7 received from 2 producers, 1 lost, 1 duplicated, 1 out of order/);
  assert.match(lossy.stdout, /crafted\/p1\.0: 2 received, 1 lost/);
});

/** Produces crafted tweets (producer id, seq) to partition 0 of a topic and waits for every delivery. */
async function produceCrafted(topic: string, items: [string, number][]): Promise<void> {
  const pool = buildPool(loadTweetType(), new Rng(9), ['Apple'], 4);
  const p = new Kafka.Producer({ 'metadata.broker.list': bootstrap(), dr_cb: true } as Kafka.ProducerGlobalConfig);
  await new Promise<void>((res, rej) => p.connect({ timeout: 10_000 }, (e) => (e ? rej(e) : res())));
  let delivered = 0;
  const done = new Promise<void>((res) => p.on('delivery-report', () => ++delivered === items.length && res()));
  p.setPollInterval(10);
  for (const [producer, seq] of items) {
    const out = Buffer.alloc(512);
    const end = encodeTweet(out, 0, encodePrefix('crafted', producer), seq, seq, Date.now(), pool.tails[0][0]);
    p.produce(topic, 0, Buffer.from(out.subarray(0, end)));
  }
  await done;
  await new Promise<void>((r) => p.disconnect(() => r()));
}

test(
  'a producer that died and was restarted: its last gaps are "unconfirmed", not lost; gaps further back than the ' +
    'window are lost',
  async () => {
    const topic = uniqueTopic('verify-died');
    await ensureTopic(bootstrap(), { topic, partitions: 1, replication: 1 });
    // Slot 0 of instance abc: incarnation 0 died (gaps at 3 and 5), incarnation 1 took over.
    await produceCrafted(topic, [
      ['r/abc.p0.0', 0],
      ['r/abc.p0.0', 1],
      ['r/abc.p0.0', 2],
      ['r/abc.p0.0', 4],
      ['r/abc.p0.0', 6],
      ['r/abc.p0.1', 0],
    ]);
    const { report: r, code } = await verifyJson(topic);
    assert.equal(code, 0, 'nothing lost');
    assert.deepEqual([r.received, r.lost, r.unconfirmed, r.duplicated], [6, 0, 2, 0]);
    assert.deepEqual(
      r.producers.map((p) => [p.producer, p.replaced]),
      [
        ['r/abc.p0.0', true],
        ['r/abc.p0.1', false],
      ],
    );

    // A dead producer with a gap far behind its last sequence: that part is a loss, the window near the end is not.
    await produceCrafted(topic, [
      ['r/def.p1.0', 0],
      ['r/def.p1.0', UNCONFIRMED_WINDOW + 1000],
      ['r/def.p1.1', 0],
    ]);
    const b = await verifyJson(topic);
    assert.equal(b.code, 1, 'a loss');
    const p = b.report.producers.find((x) => x.producer === 'r/def.p1.0')!;
    assert.equal(p.unconfirmed, UNCONFIRMED_WINDOW);
    assert.equal(p.lost, 999);
  },
);

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

test('a topic deleted while verify reads it: what was read, INCOMPLETE, exit 5 within seconds, no pass', async () => {
  const topic = uniqueTopic('vanishing');
  await stormJson(['--topic', topic, '--count', '4000000', '--partitions', '1']);
  const started = Date.now();
  const args = [CLI, 'verify', '--bootstrap', bootstrap(), '--topic', topic, '--json'];
  const reader = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  reader.stdout.on('data', (d) => (out += d));
  reader.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => reader.on('close', resolve));
  // Deleted once verify is reading: its start-up takes about 0.4 s of CPU, reading 4,000,000 tweets several more.
  while (cpuSeconds(reader.pid ?? 0) < 1) await new Promise((r) => setTimeout(r, 20));
  await deleteTopic(bootstrap(), topic);
  const code = await exited;
  const report = JSON.parse(out) as VerifyReport;
  assert.equal(code, 5, err);
  assert.equal(report.read.cutShort, 'the topic was deleted while it was read');
  assert.ok(report.read.messages < report.read.expected, `${report.read.messages} of ${report.read.expected}`);
  assert.match(err.trim(), /^datastorm: error: verify vanishing-.*: read \d+ of 4000000 messages: .*; not a pass$/);
  assert.ok(Date.now() - started < 20_000, `ended ${Date.now() - started} ms after it started`);
});
