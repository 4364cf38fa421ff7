/**
 * The CI example runs as the repository gives it: examples/ci/storm-gate.sh (what github-actions.yml, gitlab-ci.yml and
 * the Jenkinsfile call) sets up, starts its own one-broker cluster and Redis, storms with thresholds, verifies, and
 * leaves JUnit files a CI reporter reads; a threshold the machine cannot meet makes the same step exit 99. Its own
 * ports and state, apart from the test cluster's.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { junitCounts, validateJUnit } from '../../helpers/junit-xsd.js';
import { ROOT, run } from '../../helpers/services.js';

const EXAMPLE = path.join(ROOT, 'examples/ci/storm-gate.sh');

function exampleEnv(results: string): Record<string, string> {
  return {
    DATASTORM_CI_RESULTS: results,
    DATASTORM_CI_DURATION: '6s',
    DATASTORM_CI_REDIS_PORT: '6394',
    DATASTORM_KAFKA_HOME: path.join(ROOT, '.run/ci-example'),
    DATASTORM_KAFKA_PORT: '24192',
    DATASTORM_CONTROLLER_PORT: '24190',
    DATASTORM_BROKER_HEAP: '384m',
  };
}

function assertJUnit(file: string, cases: number, failed: number): void {
  const verdict = validateJUnit(file);
  assert.ok(verdict.valid, verdict.reasons);
  assert.deepEqual(junitCounts(file), { cases, failed, suiteTests: cases, suiteFailures: failed });
}

test('the CI example passes its gate and leaves valid JUnit and summaries for storm and verify', async () => {
  const results = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-example-'));
  const r = await run('bash', [EXAMPLE], exampleEnv(results), 300_000);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /thresholds: {4}all 4 passed/);
  assertJUnit(path.join(results, 'storm.xml'), 4, 0);
  assertJUnit(path.join(results, 'verify.xml'), 3, 0);
  assert.match(fs.readFileSync(path.join(results, 'storm.md'), 'utf8'), /✅ all 4 passed/);
  assert.match(fs.readFileSync(path.join(results, 'verify.md'), 'utf8'), /✅ all 3 passed/);
  assert.match(r.stderr, /storm-gate: storm exit 0, verify exit 0/);
});

test('the same step with a bar this machine cannot meet exits 99, its JUnit listing the failure', async () => {
  const results = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-example-'));
  const r = await run('bash', [EXAMPLE, '--threshold', 'rate>=10M'], exampleEnv(results), 300_000);
  assert.equal(r.code, 99, `${r.stdout}\n${r.stderr}`);
  assertJUnit(path.join(results, 'storm.xml'), 5, 1);
  assertJUnit(path.join(results, 'verify.xml'), 3, 0);
  assert.match(fs.readFileSync(path.join(results, 'storm.md'), 'utf8'), /^\| ❌ \| `rate>=10M` \|/m);
});
