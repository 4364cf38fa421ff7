/**
 * The verify engine: reads a topic back and runs the sequence analysis (verify/sequences.ts) over every tweet, plus
 * end-to-end latency (created_at to read time) percentiles.
 */

import { framedTweetReader, type TweetSource } from '../generate/framed-reader.js';
import { loadTweetType } from '../generate/tweet-encoder.js';
import { TweetReader } from '../generate/tweet-reader.js';
import { readTopic } from '../kafka/read-topic.js';
import { endToEndHistogram } from '../measure/histograms.js';
import type { VerifyReport } from '../report/verify-report.js';
import { VERIFY_FIGURES } from '../run/figures.js';
import { judgeAtEnd } from '../thresholds/threshold.js';
import { KeyOrder } from './key-order.js';
import type { VerifyOptions } from './options.js';
import { SequenceAnalysis } from './sequences.js';

export async function verify(o: VerifyOptions): Promise<VerifyReport> {
  const type = loadTweetType(o.schema);
  const sequences = new SequenceAnalysis();
  const keyOrder = new KeyOrder();
  const latency = endToEndHistogram();
  let skipped = 0;
  let undecodable = 0;
  const fields = ['run_id', 'producer_id', 'seq', 'created_at'] as const;
  const reader: TweetSource = o.registry
    ? await framedTweetReader(o.registry, o.topic, type, fields)
    : new TweetReader(type, fields);
  const read = await readTopic({
    bootstrap: o.bootstrap,
    client: o.client,
    topic: o.topic,
    onMessage: (values, start, end, partition, _offset, _timestamp, keys, keyStart, keyEnd) => {
      const t = reader.read(values, start, end);
      if (!t) {
        undecodable++; // not a tweet of this schema: counted, not guessed at
        return;
      }
      if (o.runId && t.run_id !== o.runId) {
        skipped++;
        return;
      }
      sequences.add(t.producer_id, t.seq, partition);
      if (keyEnd > keyStart) keyOrder.add(keys.toString('latin1', keyStart, keyEnd), t.producer_id, t.seq, partition);
      latency.recordValue(Math.max(1, Date.now() - t.created_at));
    },
  });
  const s = sequences.result();
  const report: VerifyReport = {
    topic: o.topic,
    runId: o.runId ?? null,
    read: { messages: read.read, expected: read.expected, cutShort: read.cutShort ?? null },
    received: s.received,
    invalidSeq: s.invalidSeq,
    skippedOtherRuns: skipped,
    undecodable,
    lost: s.lost,
    unconfirmed: s.unconfirmed,
    duplicated: s.duplicated,
    outOfOrder: s.outOfOrder,
    producers: s.producers,
    keys: keyOrder.result(),
    latencyMs: latency.totalCount ? endToEndPercentiles(latency) : null,
  };
  if (o.thresholds?.length) report.thresholds = judgeAtEnd(o.thresholds, (t) => VERIFY_FIGURES[t.figure].atEnd(report));
  return report;
}

/** Percentiles of the end-to-end latency; a percentile never above the largest value recorded. */
function endToEndPercentiles(latency: ReturnType<typeof endToEndHistogram>): NonNullable<VerifyReport['latencyMs']> {
  const at = (q: number) => Math.min(latency.getValueAtPercentile(q), latency.maxValue);
  return { p50: at(50), p95: at(95), p99: at(99), p999: at(99.9), max: latency.maxValue };
}
