/**
 * Every command the README and docs/ show, run: each `sh` block's lines are examples, and each example has a plan
 * here (an example without one fails the first test, so the documentation cannot grow an untested command). A plan
 * runs the example as written against the test services, with the substitutions it names: the test services'
 * addresses for the local defaults, short counts and durations (SHORT), a free port, a file of the test's own for a
 * placeholder. It must exit as documented (0 unless the plan says otherwise) with no stack trace. The only examples
 * not run are the test suite itself, the benchmarks and the two kubectl commands (no Kubernetes cluster here), each
 * with its reason.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  bootstrap,
  freshBucket,
  influxCa,
  influxTlsUrl,
  influxToken,
  influxUrl,
  kafkaConfig,
  ROOT,
  redisUrl,
  registryUrl,
  run,
  uniqueTopic,
} from '../helpers/services.js';
import { CLI } from '../helpers/storm-cli.js';

interface Example {
  page: string;
  command: string;
}

/** What the test does with an example: a shell command (run from the repository's root), or why it does not. */
/** `exits`: the exit codes the page documents for the command (0 when left out). */
type Plan = { shell: string; exits?: readonly number[]; interruptOn?: RegExp } | { notRun: string };

/** How far examples are shortened: counts, durations and idle waits above these are cut to them. */
const SHORT = { count: 20_000, durationSec: 3, untilIdleSec: 2, warmup: '1s' };

function examples(): Example[] {
  const pages = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)];
  return pages
    .filter((page) => page.endsWith('.md'))
    .flatMap((page) =>
      [...fs.readFileSync(path.join(ROOT, page), 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
        block[1]
          .split('\n')
          .map((line) => line.replace(/\s+#\s.*$/, '').trim())
          .filter(Boolean)
          .map((command) => ({ page, command })),
      ),
    );
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-docs-'));
/** A cluster of the examples' own for what starts or stops one (storm.sh, cluster.sh): the test cluster is left be. */
const ownCluster = {
  DATASTORM_KAFKA_HOME: path.join(dir, 'cluster'),
  // Ports no other test uses (cluster-script takes 27090-27292, the secured tests 26190-26292), below Linux's
  // ephemeral range (32768-60999), where any client connection's local port can hold one for a moment.
  DATASTORM_KAFKA_PORT: '25092',
  DATASTORM_CONTROLLER_PORT: '25090',
  DATASTORM_BROKER_HEAP: '384m',
};
const fixture = { topic: uniqueTopic('docs-tweets'), runId: '', report: path.join(dir, 'fixture.json'), bucket: '' };
const node = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)}`;

/** Cuts --count, --duration, --until-idle and --warmup of a command line down to SHORT. */
function shortened(args: string): string {
  return args
    .replace(/--count (\d+)/, (_, n) => `--count ${Math.min(Number(n), SHORT.count)}`)
    .replace(/--duration (\d+)/, (_, s) => `--duration ${Math.min(Number(s), SHORT.durationSec)}`)
    .replace(/--until-idle (\d+)/, (_, s) => `--until-idle ${Math.min(Number(s), SHORT.untilIdleSec)}`)
    .replace(/--warmup \S+/, `--warmup ${SHORT.warmup}`);
}

const OMB_EXAMPLE =
  '--omb-workload benchmarks/omb/workloads/1-topic-16-partitions-1kb.yaml --duration 30s --warmup 5s ' +
  '--omb-result /tmp/omb-result.json';

/** docs/readers.md's thresholds per group (on a loaded test machine the p99 bar may fail: exit 99). */
const GROUP_GATE_EXAMPLE =
  "--count 500000 --rate 50k --consumer-groups 2 --threshold 'e2e.p99{group=0}<5s' " +
  "--threshold 'consume.missed{group=1}==0'";

const OMB_DRIVER_EXAMPLE =
  '--omb-workload benchmarks/omb/workloads/1-topic-6-partition-100b.yaml ' +
  '--omb-driver benchmarks/omb/driver-kafka/kafka-latency.yaml --bootstrap 127.0.0.1:19092 --rate 10k --duration 30s ' +
  '--warmup 5s';

/** A storm example against the test services: their addresses, a topic of its own, nothing saved; shortened. */
function storm(args: string, extra = ''): string {
  const local = args
    .replace(/--bootstrap \S+/, '')
    .replace(/--brokers \d+/, '')
    .replace(/> (\S+\.json)/, (_, file) => `> ${path.join(dir, file)}`)
    .replace(/--from-report (\S+)/, (_, file) => `--from-report ${path.join(dir, file)}`);
  // An OMB workload names a topic of its own for each run.
  const topic = /--topic |--omb-workload /.test(args) ? '' : `--topic ${uniqueTopic('docs')}`;
  const count = /--count |--duration |--stages |--sine |--find-max |--scenario |--from-report /.test(args)
    ? ''
    : `--count ${SHORT.count}`;
  const services = `--bootstrap ${bootstrap()} --redis ${redisUrl()}`;
  return `${node} storm ${shortened(local)} ${extra} ${services} ${topic} ${count} --no-save`;
}

/** A pulse example against the test services, into a bucket of the test's own (other tests own the default one). */
/** What a secured storm example adds: a topic of its own, a short count, nothing saved. */
const secured = () => `--topic ${uniqueTopic('docs-secured')} --count ${SHORT.count} --no-save`;

const pulse = (args: string) =>
  `${node} pulse ${shortened(args)} --bootstrap ${bootstrap()} --influx-url ${influxUrl()} --topic ${fixture.topic} ` +
  `--influx-bucket ${fixture.bucket}`;

/** The README's example of records, longer than a line here. */
const README_RECORDS_EXAMPLE =
  'npm run -s storm -- --quickstart clickstream --count 1000000 ' +
  '--schema-registry http://127.0.0.1:18081/apis/ccompat/v7';

/** docs/records.md's user schema: a click with a user id, in the test's directory. */
function clicksSchema(): string {
  const file = path.join(dir, 'my-clicks.avsc');
  const hinted = (type: string, hints: object) => ({ type, 'arg.properties': hints });
  const fields = [
    { name: 'user_id', type: 'string' },
    { name: 'page', type: hinted('string', { options: ['/home', '/cart', '/checkout'] }) },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ];
  fs.writeFileSync(file, JSON.stringify({ type: 'record', name: 'click', fields }));
  return file;
}

/** docs/ci.md's first example, longer than a line here. */
const CI_GATE_EXAMPLE =
  "npm run storm -- --rate 20k --duration 30 --threshold 'rate>=15k' --threshold 'p99<1s' --threshold 'failed==0' " +
  '--junit storm.xml --summary-md storm.md';

function plans(): Record<string, Plan> {
  const influxPort = new URL(influxUrl()).port;
  const influxTlsPort = new URL(influxTlsUrl()).port;
  const benchmark = 'a benchmark of several minutes, run by hand (its results are kept in benchmarks/)';
  return {
    // The README
    'bash scripts/storm.sh': { shell: `bash scripts/storm.sh --brokers 1 --count ${SHORT.count} --no-save` },
    'npm test': { notRun: 'the test suite itself (.ci/run runs it)' },
    'npm run storm -- --rate 100k --duration 60 --warmup 10s': {
      shell: storm('--rate 100k --duration 60 --warmup 10s'),
    },
    'npm run storm -- --count 1000000 --rate 100k --consumer-groups 2 --consumers 2': {
      shell: storm('--count 1000000 --rate 100k --consumer-groups 2 --consumers 2'),
    },
    "npm run storm -- --count 500000 --rate 50k --consumer-groups 1 --threshold 'e2e.p99<5s'": {
      // A threshold over the readers: on a loaded test machine it may fail, which the page says exits 99.
      shell: storm("--count 500000 --rate 50k --consumer-groups 1 --threshold 'e2e.p99<5s'"),
      exits: [0, 99],
    },
    [`npm run storm -- ${GROUP_GATE_EXAMPLE}`]: { shell: storm(GROUP_GATE_EXAMPLE), exits: [0, 99] },
    'npm run storm -- --find-max start=20k,step=20k,every=5s,max=100k --consumer-groups 1 --consumers 2': {
      shell: storm('--find-max start=20k,step=20k,every=5s,max=100k --consumer-groups 1 --consumers 2'),
    },
    [`npm run storm -- ${OMB_EXAMPLE}`]: { shell: storm(OMB_EXAMPLE) },
    [`npm run storm -- ${OMB_DRIVER_EXAMPLE}`]: { shell: storm(OMB_DRIVER_EXAMPLE) },
    'npm run storm -- --payload benchmarks/omb/payload/payload-1Kb.data --rate 20k --duration 20s --consumer-groups 1':
      {
        shell: storm('--payload benchmarks/omb/payload/payload-1Kb.data --rate 20k --duration 20s --consumer-groups 1'),
      },
    'bash scripts/influxdb.sh up': { shell: `bash scripts/influxdb.sh up ${influxPort}` },
    'npm run pulse -- --until-idle 5': { shell: pulse('--until-idle 5') },
    'npm run verify -- --topic tweets': { shell: `${node} verify --topic ${fixture.topic} --bootstrap ${bootstrap()}` },
    'npm run storm -- --count 2000000 --dashboard': {
      shell: storm('--count 2000000', '--dashboard 18090'),
    },
    'kubectl apply -k deploy/kubernetes': {
      notRun: 'needs a Kubernetes cluster, none here: deploy/kubernetes/validate.sh validates the manifests offline',
    },
    'kubectl logs -f job/datastorm-report': { notRun: 'needs a Kubernetes cluster running the Jobs, none here' },
    'npm run -s report -- benchmarks/results/storms/storm-….json --html run.html': {
      shell: `${node} report ${fixture.report} --html ${path.join(dir, 'run.html')}`,
    },
    // The README and docs/records.md: the registry is the test services' Apicurio
    [README_RECORDS_EXAMPLE]: {
      shell: storm(`--quickstart clickstream --count 1000000 --schema-registry ${registryUrl()}`),
    },
    'npm run -s storm -- --quickstart orders --count 1000000': { shell: storm('--quickstart orders --count 1000000') },
    'npm run -s storm -- --schema my-clicks.avsc --key-field user_id --keys zipf:10000:1.1': {
      shell: storm(`--schema ${clicksSchema()} --key-field user_id --keys zipf:10000:1.1`),
    },
    'npm run -s storm -- --quickstart pageviews --schema-registry http://127.0.0.1:8081': {
      shell: storm(`--quickstart pageviews --schema-registry ${registryUrl()}`),
    },
    // docs/benchmarks.md
    'make bench-quick': { notRun: 'the performance gate: npm test runs it after the tests (scripts/test.sh)' },
    'make bench': { notRun: benchmark },
    'make bench-pulse': { notRun: benchmark },
    'make bench-pipeline': { notRun: benchmark },
    'make bench-scenarios': { notRun: benchmark },
    'make bench-readers': { notRun: benchmark },
    'make bench-omb': { notRun: benchmark },
    'npm run storm -- --count 2000000 --rate 100k --consumer-groups 1 --backlog 500k': {
      shell: storm('--count 2000000 --rate 100k --consumer-groups 1 --backlog 500k'),
    },
    'make bench-tls': { notRun: benchmark },
    'make bench-scale': { notRun: benchmark },
    // docs/local-services.md: on the examples' own cluster (storm.sh above started it with one broker)
    'kafka-cluster/cluster.sh up --brokers 4': { shell: 'kafka-cluster/cluster.sh up --brokers 1' },
    'kafka-cluster/cluster.sh status': { shell: 'kafka-cluster/cluster.sh status' },
    'kafka-cluster/cluster.sh topic --list': { shell: 'kafka-cluster/cluster.sh topic --list' },
    'kcat -L -b "$(kafka-cluster/cluster.sh bootstrap)"': {
      shell: 'kcat -L -b "$(kafka-cluster/cluster.sh bootstrap)"',
    },
    'kafka-cluster/cluster.sh down': { shell: 'kafka-cluster/cluster.sh down' },
    // docs/many-hosts.md: one instance of one (a run of several waits for the others), then its merged report
    'npm run storm -- --run-id big-1 --instances 3 --instance 0 --count 3000000 --redis redis://redis-host:6379': {
      shell: storm(`--run-id docs-${fixture.topic} --instances 1 --instance 0 --count 3000000`),
    },
    'node dist/src/cli/index.js report --run-id big-1 --redis redis://redis-host:6379': {
      shell: `${node} report --run-id docs-${fixture.topic} --redis ${redisUrl()}`,
    },
    // docs/pulse.md
    'npm run pulse -- --store points --workers 2 --duration 60': {
      shell: pulse('--store points --workers 2 --duration 60 --group docs-points'),
    },
    'npm run pulse -- --dead-letter tweets-poison --until-idle 5': {
      shell: pulse(`--dead-letter ${uniqueTopic('docs-poison')} --until-idle 5 --group docs-dead-letter`),
    },
    'npm run pulse -- --summary --minutes 10': { shell: pulse('--summary --minutes 10') },
    // docs/scenarios.md: each shape at a tenth of its length or less
    'npm run storm -- --stages 30s:0-200k,60s:200k,10s:600k,30s:0': {
      shell: storm('--stages 1s:0-20k,1s:20k,500ms:60k,1s:0'),
    },
    'npm run storm -- --sine 100k,50k,60s --duration 600': { shell: storm('--sine 20k,10k,2s --duration 600') },
    'npm run storm -- --find-max start=50k,step=50k,every=10s': {
      shell: storm('--find-max start=5k,step=5k,every=3s,max=10k'),
    },
    'npm run storm -- --count 1000000 --keys zipf:100000:1.2': {
      shell: storm('--count 1000000 --keys zipf:100000:1.2'),
    },
    'npm run storm -- --scenario scenarios/launch-day.yaml': {
      shell: storm('--scenario scenarios/launch-day.yaml', '--stages 1s:0-20k,1s:20k,500ms:60k,1s:0 --warmup 500ms'),
    },
    // docs/secured-clusters.md: the test cluster's SASL_SSL listener, then the examples' own cluster secured
    'npm run storm -- --kafka-config client.properties': {
      shell: `${node} storm --kafka-config ${kafkaConfig()} --redis ${redisUrl()} ${secured()}`,
    },
    'npm run storm -- --kafka-config client.properties -X client.rack=eu-1a': {
      shell: `${node} storm --kafka-config ${kafkaConfig()} -X client.rack=eu-1a --redis ${redisUrl()} ${secured()}`,
    },
    'kafka-cluster/cluster.sh up --brokers 1 --security sasl_ssl --restart': {
      shell: 'kafka-cluster/cluster.sh up --brokers 1 --security sasl_ssl --restart',
    },
    'npm run storm -- --kafka-config kafka-cluster/.run/security/client.properties --count 100000': {
      shell:
        `${node} storm --kafka-config ${ownCluster.DATASTORM_KAFKA_HOME}/security/client.properties ` +
        `--redis ${redisUrl()} ${secured()}`,
    },
    'npm run storm -- --kafka-config kafka-cluster/.run/security/client-oauthbearer.properties --count 100000': {
      shell:
        `${node} storm --kafka-config ${ownCluster.DATASTORM_KAFKA_HOME}/security/client-oauthbearer.properties ` +
        `--redis ${redisUrl()} ${secured()}`,
    },
    // The test services' https InfluxDB; its token found by itself (the run folder keeps it).
    'bash scripts/influxdb.sh up 8087 --tls': { shell: `bash scripts/influxdb.sh up ${influxTlsPort} --tls` },
    'npm run pulse -- --influx-url https://127.0.0.1:8087 --influx-ca .run/influxdb-8087/tls/ca.pem --until-idle 5': {
      shell:
        `DATASTORM_INFLUX_TOKEN= ${node} pulse --influx-url ${influxTlsUrl()} --influx-ca ${influxCa()} ` +
        `--until-idle ${SHORT.untilIdleSec} --bootstrap ${bootstrap()} --topic ${fixture.topic} --group docs-tls`,
    },
    // docs/see-it.md
    'npm run storm -- --dashboard': { shell: storm('', '--dashboard 18090') },
    'npm run pulse -- --dashboard 8091 --until-idle 5': { shell: pulse('--dashboard 18091 --until-idle 5') },
    'npm run storm -- --count 2000000 --html run.html': {
      shell: storm(`--count 2000000 --html ${path.join(dir, 'storm.html')}`),
    },
    'node dist/src/cli/index.js dashboard --run-id RUN': {
      shell:
        `${node} dashboard --run-id ${fixture.runId} --redis ${redisUrl()} --bootstrap ${bootstrap()} ` +
        `--topic ${fixture.topic} --influx-url ${influxUrl()} --dashboard 18092`,
      interruptOn: /dashboard: http:\/\/127\.0\.0\.1:18092\//,
    },
    // docs/storm.md
    'npm run storm -- --brokers 4': { shell: storm('--brokers 4') },
    'npm run storm -- --count 10000000 --mode volatile --volatility 0.9': {
      shell: storm('--count 10000000 --mode volatile --volatility 0.9'),
    },
    'npm run storm -- --duration 60 --rate 100000': { shell: storm('--duration 60 --rate 100000') },
    'npm run storm -- --bootstrap kafka1:9092,kafka2:9092': { shell: storm('--bootstrap kafka1:9092,kafka2:9092') },
    'npm run storm -- --count 1000000 --json > report.json': { shell: storm('--count 1000000 --json > report.json') },
    'npm run storm -- --count 200000 --keys zipf:1000:1.2 --json > first.json': {
      shell: storm('--count 200000 --keys zipf:1000:1.2 --json > first.json'),
    },
    'npm run storm -- --from-report first.json --bootstrap 127.0.0.1:19092': {
      shell: storm('--from-report first.json --bootstrap 127.0.0.1:19092'),
    },
    // docs/ci.md: the files go into the test's directory
    // A gate passes (0) or fails (99) by what the cluster did: cut to 3 s on the shared test cluster, the start-up's
    // latencies weigh on p99 and either is what the page documents; the JUnit file must say which.
    [CI_GATE_EXAMPLE]: {
      shell: storm(
        `--rate 20k --duration 30 --threshold 'rate>=15k' --threshold 'p99<1s' --threshold 'failed==0' ` +
          `--junit ${path.join(dir, 'storm.xml')} --summary-md ${path.join(dir, 'storm.md')}`,
      ),
      exits: [0, 99],
    },
    "npm run storm -- --rate 20k --duration 600 --threshold 'intended.p99<5s abort-on-fail=10s'": {
      shell: storm("--rate 20k --duration 600 --threshold 'intended.p99<5s abort-on-fail=10s'"),
    },
    "npm run verify -- --topic tweets --threshold 'duplicated==0' --junit verify.xml": {
      shell:
        `${node} verify --topic ${fixture.topic} --bootstrap ${bootstrap()} --threshold 'duplicated==0' ` +
        `--junit ${path.join(dir, 'verify.xml')}`,
    },
    // docs/verify.md
    'npm run verify -- --topic tweets --run 20261125121009-21fe2d --json': {
      shell: `${node} verify --topic ${fixture.topic} --run ${fixture.runId} --json --bootstrap ${bootstrap()}`,
    },
  };
}

/** Runs a shell command; with `interruptOn`, sends SIGINT once stderr shows it (a command that runs until Ctrl-C). */
function runShell(shell: string, env: Record<string, string>, interruptOn?: RegExp) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('bash', ['-c', interruptOn ? `exec ${shell}` : shell], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (interruptOn?.test(stderr)) setTimeout(() => child.kill('SIGINT'), 1500);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

before(async () => {
  fixture.bucket = await freshBucket('docs');
  const made = await run(process.execPath, [
    CLI,
    'storm',
    '--bootstrap',
    bootstrap(),
    '--redis',
    redisUrl(),
    '--topic',
    fixture.topic,
    '--count',
    String(SHORT.count),
    '--no-save',
    '--json',
  ]);
  assert.equal(made.code, 0, made.stderr);
  fs.writeFileSync(fixture.report, made.stdout);
  fixture.runId = (JSON.parse(made.stdout) as { runId: string }).runId;
});

after(async () => {
  await run('bash', ['kafka-cluster/cluster.sh', 'down', '--purge'], ownCluster);
  await run('bash', ['scripts/redis.sh', 'down']);
});

test('every example in the README and docs/ has a plan in this test', () => {
  const planned = plans();
  const missing = examples().filter(({ command }) => !(command in planned));
  assert.deepEqual(missing, []);
  // Only the suite, the benchmarks and what needs a Kubernetes cluster go unrun (deploy/kubernetes/validate.sh
  // validates the manifests offline).
  const unrunnable = /^(npm test|make bench(-[a-z]+)?|kubectl (apply|logs) .*)$/;
  const notRun = Object.entries(planned).filter(([command, plan]) => 'notRun' in plan && !unrunnable.test(command));
  assert.deepEqual(notRun, [], 'an example not run that is neither the suite, a benchmark nor Kubernetes');
});

/** docs/ci.md's gate: its JUnit file holds a failure exactly when the storm exited 99. */
function gateFilesDisagree(code: number | null): string[] {
  const junit = fs.readFileSync(path.join(dir, 'storm.xml'), 'utf8');
  const failed = Number(/<testsuite [^>]*failures="(\d+)"/.exec(junit)?.[1] ?? Number.NaN);
  const summary = fs.readFileSync(path.join(dir, 'storm.md'), 'utf8');
  const agree = code === 99 ? failed > 0 : failed === 0;
  return agree && summary.length > 0 ? [] : [`docs/ci.md gate: exit ${code} but JUnit failures="${failed}"`];
}

test('every example runs and exits as documented, with no stack trace', async () => {
  const env = { ...ownCluster, DATASTORM_INFLUX_TOKEN: influxToken() };
  const planned = plans();
  const failures: string[] = [];
  for (const { page, command } of examples()) {
    const plan = planned[command];
    if (!plan || 'notRun' in plan) continue;
    const result = await runShell(plan.shell, env, plan.interruptOn);
    const expected = plan.exits ?? [0];
    if (!expected.includes(result.code ?? -1) || /\n\s+at .+:\d+:\d+\)?\n/.test(result.stderr))
      failures.push(`${page}: ${command}\n  ran: ${plan.shell}\n  exit ${result.code}: ${result.stderr.slice(-2000)}`);
    if (command === CI_GATE_EXAMPLE) failures.push(...gateFilesDisagree(result.code));
  }
  assert.deepEqual(failures, []);
});
