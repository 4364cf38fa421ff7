/**
 * The "Bad input" table (docs/bad-input.md), row by row: each command runs as written (with the test services'
 * addresses in place of the local defaults) and must exit with the row's code, print exactly one error line matching
 * the row's message ("…" stands for what varies), show no stack trace, and answer within seconds. The table is the
 * test's data, so the documentation cannot drift from what DataStorm does.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  bootstrap,
  influxCa,
  influxTlsUrl,
  influxUrl,
  kafkaConfig,
  ROOT,
  redisUrl,
  run,
  securedBootstrap,
} from '../helpers/services.js';
import { CLI } from '../helpers/storm-cli.js';

interface Row {
  n: number;
  command: string;
  exit: number;
  message: string;
}

function readBadInputTable(page: string): Row[] {
  const rows: Row[] = [];
  for (const line of page.split('\n')) {
    const m = /^\|\s*(\d+)\s*\|\s*`(.+?)`\s*\|\s*(\d+)\s*\|\s*`(.+)`\s*\|\s*$/.exec(line);
    if (m) rows.push({ n: Number(m[1]), command: m[2], exit: Number(m[3]), message: m[4] });
  }
  return rows;
}

/** The local defaults a user has, and what the test services are instead. */
function substitutions(): [string, string][] {
  return [
    ['npm run -s storm --', `node ${CLI} storm`],
    ['npm run -s pulse --', `node ${CLI} pulse`],
    ['npm run -s verify --', `node ${CLI} verify`],
    ['npm run -s report --', `node ${CLI} report`],
    ['node dist/src/cli/index.js', `node ${CLI}`],
    ['127.0.0.1:19092', bootstrap()],
    ['127.0.0.1:19192', securedBootstrap()],
    ['kafka-cluster/.run/security/client.properties', kafkaConfig()],
    [
      'kafka-cluster/.run/security/client-limited.properties',
      path.join(path.dirname(kafkaConfig()), 'client-limited.properties'),
    ],
    ['redis://127.0.0.1:6379', redisUrl()],
    ['.run/influxdb-8087/tls/ca.pem', influxCa()],
    ['https://127.0.0.1:8087', influxTlsUrl()],
    ['http://127.0.0.1:8087', influxTlsUrl().replace('https:', 'http:')],
    ['https://127.0.0.1:8086', influxUrl().replace('http:', 'https:')],
    ['http://127.0.0.1:8086', influxUrl()],
    ['19090', process.env.DATASTORM_CONTROLLER_PORT ?? '19090'],
  ];
}

const substitute = (s: string, subs: [string, string][]) => subs.reduce((a, [from, to]) => a.split(from).join(to), s);
const pattern = (message: string) =>
  new RegExp(
    `^${message
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

const rows = readBadInputTable(fs.readFileSync(path.join(ROOT, 'docs', 'bad-input.md'), 'utf8'));

test('the table lists at least 15 bad inputs, numbered in order, across storm, pulse, verify and cluster.sh', () => {
  assert.ok(rows.length >= 15, `${rows.length} rows`);
  assert.deepEqual(
    rows.map((r) => r.n),
    rows.map((_, i) => i + 1),
  );
  for (const tool of ['storm', 'pulse', 'verify', 'cluster.sh'])
    assert.ok(
      rows.some((r) => r.command.includes(tool)),
      tool,
    );
});

for (const row of rows) {
  test(`bad input ${row.n}: ${row.command} → exit ${row.exit}`, async () => {
    const subs = substitutions();
    const started = Date.now();
    const r = await run('bash', ['-c', substitute(row.command, subs)], {}, 60_000);
    const took = Date.now() - started;
    const errors = r.stderr.split('\n').filter((l) => /^[\w.]+: error: /.test(l));
    assert.equal(r.code, row.exit, `exit code; stderr: ${r.stderr}`);
    assert.equal(errors.length, 1, `exactly one error line; stderr: ${r.stderr}`);
    assert.match(errors[0], pattern(substitute(row.message, subs)));
    assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
    assert.ok(took < 30_000, `answered in ${took} ms`);
  });
}
