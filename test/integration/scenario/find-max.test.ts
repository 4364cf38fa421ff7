/**
 * --find-max on a cluster with a known ceiling: a producer byte-rate quota (Kafka's own client quota, set for every
 * client for the length of this test) caps what one producer can get acknowledged. Fixed-rate runs bracket the
 * ceiling (a low rate holds, a high one does not, by the same criteria); find-max must land inside the bracket, with
 * every step below its answer held and the one above failed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StormReport } from '../../../src/report/storm-report.js';
import { FIND_MAX_DEFAULTS, judgeStep } from '../../../src/scenario/find-max.js';
import { bootstrap, run, uniqueTopic } from '../../helpers/services.js';
import { stormJson } from '../../helpers/storm-cli.js';

const QUOTA_BYTES = 1_000_000; // per client and broker; the topic spreads over 3 brokers
const LOW = 20_000;
const HIGH = 150_000;

async function clientQuota(add: boolean): Promise<void> {
  const config = add
    ? ['--add-config', `producer_byte_rate=${QUOTA_BYTES}`]
    : ['--delete-config', 'producer_byte_rate'];
  const server = bootstrap().split(',')[0];
  const r = await run('bash', [
    'kafka-cluster/cluster.sh',
    'tool',
    'org.apache.kafka.tools.ConfigCommand',
    '--bootstrap-server',
    server,
    '--alter',
    ...config,
    '--entity-type',
    'clients',
    '--entity-default',
  ]);
  assert.equal(r.code, 0, r.stderr);
}

/** Held by find-max's own criteria, over the run's whole seconds but its first. */
function held(r: StormReport, rate: number): boolean {
  const seconds = r.timeline.slice(1, -1).map(([, x]) => x);
  return judgeStep(FIND_MAX_DEFAULTS, rate, seconds, [], 0).held;
}

test('find-max lands between a fixed rate that holds and one that does not', async (t) => {
  await clientQuota(true);
  t.after(() => clientQuota(false));
  const topic = uniqueTopic('findmax');
  const fixed = async (rate: number) =>
    (await stormJson(['--topic', topic, '--rate', String(rate), '--duration', '6', '--workers', '1'])).report;
  const low = await fixed(LOW);
  const high = await fixed(HIGH);
  assert.ok(held(low, LOW), `${LOW}/s holds under the quota: ${JSON.stringify(low.timeline)}`);
  assert.ok(!held(high, HIGH), `${HIGH}/s does not: ${JSON.stringify(high.timeline)}`);

  const { report } = await stormJson([
    '--topic',
    topic,
    '--find-max',
    `start=10k,step=10k,every=4s,max=${HIGH}`,
    '--workers',
    '1',
  ]);
  const fm = report.findMax;
  assert.ok(fm, 'the report has the find-max section');
  assert.ok(fm.maxRate !== null && fm.maxRate >= LOW && fm.maxRate < HIGH, `find-max says ${fm.maxRate}/s`);
  const last = fm.steps[fm.steps.length - 1];
  assert.equal(last.held, false, 'the run ended at a failed step');
  assert.ok(last.reason.length > 0);
  assert.equal(last.rate, fm.maxRate + 10_000, 'the failed step is the one above the answer');
  assert.ok(
    fm.steps.slice(0, -1).every((s) => s.held && s.achieved >= s.rate * 0.95),
    JSON.stringify(fm.steps),
  );
  assert.equal(report.stoppedEarly, false, 'ending at the failed step is the plan, not an interruption');
});
