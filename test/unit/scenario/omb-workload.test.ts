/** OpenMessaging Benchmark's workload files as storm flags: each field's flag, or its refusal by name. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../../src/local/services.js';
import { loadOmbWorkload } from '../../../src/scenario/omb-workload.js';

const workload = (name: string) => loadOmbWorkload(path.join(ROOT, 'benchmarks/omb/workloads', name));

test("OMB's backlog workload: every field a flag, its GB as GiB, a topic of its own", () => {
  const w = workload('1-topic-100-partitions-1kb-4p-4c-200k-backlog.yaml');
  assert.deepEqual(w.problems, []);
  const { topic, ...flags } = w.flags;
  assert.match(topic, /^omb-[0-9a-f]{8}$/);
  assert.deepEqual(flags, {
    partitions: '100',
    'payload-size': '1024',
    'payload-random': '0.5',
    'payload-pool': '1000',
    'consumer-groups': '1',
    consumers: '4',
    workers: '4',
    rate: '200000',
    backlog: '512GiB',
    duration: '360s',
    warmup: '60s',
  });
});

test("a payload file is found where OMB's layout puts it, and its size is checked", () => {
  const w = workload('1-topic-16-partitions-1kb.yaml');
  assert.deepEqual(w.problems, []);
  assert.equal(w.flags.payload, path.join(ROOT, 'benchmarks/omb/payload/payload-1Kb.data'));
  assert.equal(w.flags.duration, '960s', '15 minutes of test after OMB’s default minute of warm-up');
});

test("producerRate 0 (OMB's search for the highest rate the consumers keep up with) is --find-max", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-omb-rate0-'));
  const file = path.join(dir, 'max.yaml');
  const text = fs.readFileSync(path.join(ROOT, 'benchmarks/omb/workloads/1-topic-1-partition-100b.yaml'), 'utf8');
  const payload = path.join(ROOT, 'benchmarks/omb/payload/payload-100b.data');
  fs.writeFileSync(
    file,
    text.replace(/^producerRate: .*$/m, 'producerRate: 0').replace(/^payloadFile: .*$/m, `payloadFile: "${payload}"`),
  );
  const w = loadOmbWorkload(file);
  assert.deepEqual(w.problems, []);
  assert.equal(w.flags['find-max'], '');
  assert.equal(w.flags.rate, undefined);
});
