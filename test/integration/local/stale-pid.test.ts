/**
 * The local service scripts never signal a process they did not start: a pid file that outlived its process (a crash,
 * a reboot) may name a number the system gave to something else. Generated pid-file contents (a live process that is
 * not the service, garbage, empty, huge, negative, several lines) under each script's `down`: the other process lives
 * on, the stale file goes, the script exits 0. A fixed seed here; more with make fuzz.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzSettings, reportFuzz } from '../../helpers/fuzz.js';
import { ROOT, run } from '../../helpers/services.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** What a stale pid file may hold: the decoy's pid, or anything else. */
const contents = (decoy: number) =>
  fc.oneof(
    fc.constant(String(decoy)),
    fc.constant(`${decoy}\n`),
    fc.constant(` ${decoy} `),
    fc.constant(`${decoy}\n1\n`),
    fc.constantFrom('', '0', '-1', '1', '4294967297', '99999999999999999999', 'abc', '$(reboot)', '1;kill -9 1'),
    fc.string({ maxLength: 40 }),
  );

/** Each script, with the pid file its `down` reads, in a state directory of the test's own. */
const scripts = (state: string) => [
  {
    name: 'redis.sh',
    pidFile: path.join(state, 'redis-6998.pid'),
    down: ['scripts/redis.sh', 'down', '6998'],
    env: { DATASTORM_STATE: state },
  },
  {
    name: 'influxdb.sh',
    pidFile: path.join(state, 'influxdb-8998', 'influxd.pid'),
    down: ['scripts/influxdb.sh', 'down', '8998'],
    env: { DATASTORM_STATE: state },
  },
  {
    name: 'registry.sh',
    pidFile: path.join(state, 'registry-18998', 'registry.pid'),
    down: ['scripts/registry.sh', 'down', '18998'],
    env: { DATASTORM_STATE: state },
  },
  {
    name: 'cluster.sh',
    pidFile: path.join(state, 'kafka', 'pids', 'broker-1.pid'),
    down: ['kafka-cluster/cluster.sh', 'down'],
    env: { DATASTORM_KAFKA_HOME: path.join(state, 'kafka') },
  },
];

test('a stale pid file is never trusted: the process it names lives on, the file goes', async () => {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-stale-'));
  // The decoy: a process of someone else's that happens to have the recorded number.
  const decoy = spawn('sleep', ['600'], { stdio: 'ignore' });
  const decoyPid = decoy.pid ?? 0;
  const { seed, runs } = fuzzSettings(12);
  try {
    for (const script of scripts(state)) {
      await fc.assert(
        fc.asyncProperty(contents(decoyPid), async (recorded) => {
          fs.mkdirSync(path.dirname(script.pidFile), { recursive: true });
          fs.writeFileSync(script.pidFile, recorded);
          const r = await run(
            'bash',
            script.down.map((a, i) => (i === 0 ? path.join(ROOT, a) : a)),
            script.env,
          );
          assert.equal(r.code, 0, `${script.name} down with ${JSON.stringify(recorded)}: ${r.stderr}`);
          assert.ok(
            alive(decoyPid),
            `${script.name} signalled a process it did not start (${JSON.stringify(recorded)})`,
          );
          assert.ok(!fs.existsSync(script.pidFile), `${script.name} left the stale pid file`);
        }),
        { seed, numRuns: runs },
      );
      reportFuzz(`${script.name} stale pid files`, runs, 'no foreign process signalled');
    }
    const kill = await run('bash', [path.join(ROOT, 'kafka-cluster/cluster.sh'), 'kill-broker', '1'], {
      DATASTORM_KAFKA_HOME: path.join(state, 'kafka'),
    });
    const cluster = scripts(state).find((s) => s.name === 'cluster.sh');
    fs.writeFileSync(cluster?.pidFile ?? '', String(decoyPid));
    const again = await run('bash', [path.join(ROOT, 'kafka-cluster/cluster.sh'), 'kill-broker', '1'], {
      DATASTORM_KAFKA_HOME: path.join(state, 'kafka'),
    });
    assert.notEqual(again.code, 0, 'kill-broker refuses a pid that is no broker of this cluster');
    assert.match(again.stderr, /broker-1 is not running/);
    assert.ok(alive(decoyPid) && kill.code !== 0);
  } finally {
    decoy.kill();
    fs.rmSync(state, { recursive: true, force: true });
  }
});
