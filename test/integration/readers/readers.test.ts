/**
 * Readers in the run (--consumer-groups): each group reads exactly what the run wrote, timed end to end from the
 * record's creation and from its intended send time; a reader killed mid-run has its partitions re-read by another
 * member, counted as re-reads, and the group's count stays exact; thresholds reach the readers' figures.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { topicMessageCount } from '../../../src/kafka/admin.js';
import type { ReaderGroupReport } from '../../../src/report/readers-report.js';
import { bootstrap, run, uniqueTopic } from '../../helpers/services.js';
import { spawnStorm, stormArgs, stormJson } from '../../helpers/storm-cli.js';

/** What every group's section must hold for a run that wrote `written` messages. */
function assertExact(g: ReaderGroupReport, written: number): void {
  assert.equal(g.consumed, written, `${g.group} read each message once`);
  assert.equal(g.missed, 0, `${g.group} missed none`);
  assert.equal(g.foreign, 0);
  const e2e = g.endToEndMs;
  assert.ok(e2e, `${g.group} timed its reads`);
  assert.equal(e2e.samples, written, 'one end-to-end sample per message read after the warm-up (none here)');
  assert.ok(e2e.p50 > 0 && e2e.p50 <= e2e.p99 && e2e.p99 <= e2e.p9999 && e2e.p9999 <= e2e.max, JSON.stringify(e2e));
}

test('two groups of two read exactly what a paced storm wrote, timed from creation and intended time', async () => {
  const topic = uniqueTopic('readers');
  const N = 120_000;
  const args = ['--topic', topic, '--count', String(N), '--rate', '40000', '--partitions', '4'];
  const html = path.join(os.tmpdir(), `${topic}.html`);
  const { report } = await stormJson([...args, '--consumer-groups', '2', '--consumers', '2', '--html', html]);
  const page = fs.readFileSync(html, 'utf8');
  assert.match(page, /readers: 2 group\(s\), the run wrote 120,000/, 'the HTML report shows the readers');
  assert.equal(report.acknowledged, N);
  const readers = report.readers;
  assert.ok(readers, 'the report has a readers section');
  assert.equal(readers.written, N);
  assert.equal((await topicMessageCount(bootstrap(), topic)).total, N);
  assert.equal(readers.groups.length, 2);
  assert.notEqual(readers.groups[0].group, readers.groups[1].group);
  for (const g of readers.groups) {
    assertExact(g, N);
    assert.equal(g.members, 2);
    assert.equal(g.membersAssigned, 2, 'four partitions reach both members');
    assert.equal(g.reread, 0, 'nothing moved: nothing re-read');
    const intended = g.endToEndFromIntendedMs;
    assert.ok(intended, 'tweets under a schedule are timed from their intended send time');
    assert.equal(intended.samples, N);
    // The intended time comes before the send: from it, latency is never less (within the CreateTime's ms).
    assert.ok(intended.p50 + 1 >= (g.endToEndMs?.p50 ?? 0), `intended ${intended.p50} vs ${g.endToEndMs?.p50}`);
    // At 40,000/s on loopback the readers keep up: end to end stays within seconds, and the rate is the storm's.
    assert.ok(intended.p99 < 10_000, `intended p99 ${intended.p99} ms`);
    assert.ok(g.consumeRate.average > 20_000 && g.consumeRate.average < 80_000, `${g.consumeRate.average}/s`);
    assert.ok(g.cpuPerMessageUs !== null && g.cpuPerMessageUs > 0);
  }
});

test('a reader killed mid-run: its partitions move, re-reads count apart, the group still reads all', async () => {
  const topic = uniqueTopic('reader-kill');
  const N = 300_000;
  const storm = spawnStorm([
    ...['--topic', topic, '--count', String(N), '--rate', '30000', '--partitions', '4'],
    ...['--consumer-groups', '1', '--consumers', '2', '--workers', '1'],
  ]);
  // The readers are this storm's children that run reader-child.js; kill one once production is under way.
  await new Promise((r) => setTimeout(r, 6000));
  const pids = execFileSync('pgrep', ['-f', 'readers/reader-child.js', '-P', String(storm.child.pid)])
    .toString()
    .trim()
    .split('\n');
  assert.ok(pids.length >= 1, 'the readers run as child processes');
  process.kill(Number(pids[0]), 'SIGKILL');
  const out = await storm.exited;
  assert.equal(out.code, 0, out.stderr);
  const report = JSON.parse(out.stdout);
  assert.equal(report.acknowledged, N);
  const g = report.readers.groups[0] as ReaderGroupReport;
  assert.equal(report.readers.restarts, 1, 'the killed reader was restarted');
  assert.equal(g.consumed, N, 'every message counted once, whoever read it');
  assert.equal(g.missed, 0);
  assert.ok(g.reread >= 0);
});

test('thresholds reach the readers, the worst group or one by name; without readers they are refused', async () => {
  const topic = uniqueTopic('reader-gate');
  const base = ['--topic', topic, '--count', '40000', '--rate', '20000', '--consumer-groups', '2'];
  const pass = await stormJson([
    ...base,
    ...['--threshold', 'e2e.p99<30s', '--threshold', 'consume.missed==0', '--threshold', 'e2e.intended.p50<30s'],
    ...['--threshold', 'e2e.p99{group=1}<30s', '--threshold', 'consume.rate{group=0}>0'],
  ]);
  assert.equal(pass.report.thresholds?.passed, true, JSON.stringify(pass.report.thresholds));
  const [g0, g1] = pass.report.readers?.groups ?? [];
  const judged = (expr: string) => pass.report.thresholds?.results.find((r) => r.expr === expr)?.value;
  assert.equal(judged('e2e.p99{group=1}<30s'), g1.endToEndMs?.p99, "group 1's own p99");
  assert.equal(judged('consume.rate{group=0}>0'), g0.consumeRate.average, "group 0's own rate");
  assert.equal(judged('e2e.p99<30s'), Math.max(g0.endToEndMs?.p99 ?? 0, g1.endToEndMs?.p99 ?? 0), 'the worst group');
  const fail = await run(process.execPath, stormArgs([...base, '--threshold', 'e2e.p50<0.01ms']), {}, 180_000);
  assert.equal(fail.code, 99, fail.stderr);
  const refused = await run(process.execPath, stormArgs(['--count', '10', '--threshold', 'e2e.p99<1s']), {}, 30_000);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /e2e\.p99 needs readers \(--consumer-groups 1 or more\)/);
});
