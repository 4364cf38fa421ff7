/**
 * kafka-cluster/cluster.sh: the shared test cluster answers its commands, and every start-up error case prints
 * one line and exits non-zero. Error cases use their own state directory and ports, never the shared cluster's.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { bootstrap, run } from '../helpers/services.js';

const SCRIPT = 'kafka-cluster/cluster.sh';
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('cluster.sh: error:'));

/**
 * Ports of their own, below Linux's ephemeral range (32768-60999): a port in it can be any client connection's local
 * port for a moment, and this file's "port in use" case listens on one itself.
 */
function isolated(extra: Record<string, string> = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-cluster-'));
  return { DATASTORM_KAFKA_HOME: home, DATASTORM_KAFKA_PORT: '27092', DATASTORM_CONTROLLER_PORT: '27090', ...extra };
}

test('up with the running size is a no-op that prints the same bootstrap line', async () => {
  const r = await run('bash', [SCRIPT, 'up', '--brokers', '3']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').pop(), bootstrap());
});

test('up with another size refuses without --restart', async () => {
  const r = await run('bash', [SCRIPT, 'up', '--brokers', '2']);
  assert.equal(r.code, 1);
  assert.match(errorLines(r.stderr)[0] ?? '', /a 3-broker cluster (\(sasl_ssl\) )?is already running.*--restart/);
});

test('up over the running cluster with a dead broker starts that broker again, and says which', async () => {
  const killed = await run('bash', [SCRIPT, 'kill-broker', '3']);
  assert.equal(killed.code, 0, killed.stderr);
  const r = await run('bash', [SCRIPT, 'up', '--brokers', '3'], {}, 120_000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /broker-3 of the running 3-broker cluster was down; starting it again/);
  assert.equal(r.stdout.trim().split('\n').pop(), bootstrap());
  // Settled before the next test looks: every node answers again.
  for (let i = 0; i < 60; i++) {
    const st = await run('bash', [SCRIPT, 'status']);
    if (st.code === 0) break;
    await new Promise((res) => setTimeout(res, 500));
  }
});

test('status lists the controller and 3 brokers, all answering', async () => {
  const r = await run('bash', [SCRIPT, 'status']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const rows = r.stdout.split('\n').filter((l) => /^(broker-\d|controller)\s/.test(l));
  assert.equal(rows.length, 4);
  for (const row of rows) assert.match(row, /answers$/);
});

test('an independent client (kcat) sees 3 brokers', async () => {
  const r = await run('kcat', ['-L', '-b', bootstrap(), '-m', '10']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, / 3 brokers:/);
});

test('--brokers outside 1..9 is a usage error naming the option', async () => {
  for (const bad of ['0', '10', 'x', '-1']) {
    const r = await run('bash', [SCRIPT, 'up', '--brokers', bad], isolated());
    assert.equal(r.code, 2, `--brokers ${bad}`);
    assert.deepEqual(errorLines(r.stderr), [
      `cluster.sh: error: --brokers must be a whole number from 1 to 9 (got '${bad}')`,
    ]);
  }
});

test("a port already in use is named, with who holds it; a secured listener's port too", async () => {
  for (const [port, args] of [
    [27092, []],
    [27192, ['--security', 'ssl']],
  ] as const) {
    const server = net.createServer().listen(port, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const r = await run('bash', [SCRIPT, 'up', '--brokers', '1', ...args], isolated());
      assert.equal(r.code, 1);
      const lines = errorLines(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], new RegExp(`port ${port} is already in use by pid \\d+ \\(node\\)`));
    } finally {
      server.close();
    }
  }
});

test('missing Java is one line, exit 1', async () => {
  const r = await run('bash', [SCRIPT, 'up', '--brokers', '1'], isolated({ JAVA_HOME: '/nonexistent-jdk' }));
  assert.equal(r.code, 1);
  assert.deepEqual(errorLines(r.stderr).length, 1);
  assert.match(errorLines(r.stderr)[0], /java not found at \$JAVA_HOME\/bin\/java \(\/nonexistent-jdk\)/);
});

test('unreachable Maven repository is one line, exit 1, and leaves no half-filled cache', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-mvn-'));
  const settings = path.join(dir, 'settings.xml');
  fs.writeFileSync(
    settings,
    `<settings><localRepository>${dir}/repo</localRepository><mirrors><mirror><id>dead</id><mirrorOf>*</mirrorOf>` +
      `<url>http://127.0.0.1:9/maven2</url></mirror></mirrors></settings>`,
  );
  const cache = path.join(dir, 'cache');
  const r = await run(
    'bash',
    [SCRIPT, 'fetch'],
    isolated({ DATASTORM_KAFKA_CACHE: cache, DATASTORM_MAVEN_FLAGS: `-s ${settings}` }),
  );
  assert.equal(r.code, 1);
  assert.equal(errorLines(r.stderr).length, 1, r.stderr);
  assert.match(errorLines(r.stderr)[0], /could not fetch Kafka 4\.\d+\.\d+ from Maven Central/);
  assert.ok(!fs.existsSync(path.join(cache, 'kafka-4.4.0', 'libs', '.complete')));
});

/** A process that has exited counts as gone even while a zombie: CI's container init never reaps orphans. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('a node not up in time: its log tail, one error line; the failed start stops the nodes it started', async () => {
  const env = isolated({
    DATASTORM_UP_TIMEOUT: '1',
    DATASTORM_KAFKA_PORT: '27192',
    DATASTORM_CONTROLLER_PORT: '27190',
  });
  const r = await run('bash', [SCRIPT, 'up', '--brokers', '1'], env);
  assert.equal(r.code, 1);
  const lines = errorLines(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /(controller|broker-1) is not up on port \d+ within 1s/);
  assert.match(r.stderr, /--- last lines of .*\.log/);
  assert.match(r.stderr, /start-up failed: stopping the nodes it started\ncluster\.sh: stopped 2 node\(s\)/);
  assert.deepEqual(fs.readdirSync(path.join(env.DATASTORM_KAFKA_HOME, 'pids')), []);
  assert.deepEqual(nodesOf(env.DATASTORM_KAFKA_HOME), [], 'no JVM of this cluster runs');
  const down = await run('bash', [SCRIPT, 'down', '--purge'], env);
  assert.equal(down.code, 0, down.stderr);
});

/** Live processes (not zombies) whose command line names this cluster's state directory. */
function nodesOf(home: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(home) && running(Number(pid));
      } catch {
        return false;
      }
    })
    .map(Number);
}
