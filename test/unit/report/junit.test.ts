/**
 * --junit and --summary-md render: the JUnit XML validates against Jenkins' junit-10.xsd (xmllint, schema-aware) with
 * the right counts, whatever the names carry (markup, quotes, control characters, the whole of Unicode); the Markdown
 * keeps user text as text.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { renderJUnit } from '../../../src/report/junit.js';
import { renderSummaryMd } from '../../../src/report/summary-md.js';
import type { GateCase } from '../../../src/report/threshold-lines.js';
import { fuzzSettings, reportFuzz } from '../../helpers/fuzz.js';
import { junitCounts, validateJUnit, xpathNumber } from '../../helpers/junit-xsd.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'junit-'));
const suite = (cases: GateCase[], name = 'datastorm.storm') => ({
  name,
  cases,
  elapsedSec: 12.3456,
  startedAt: new Date('2026-11-29T10:00:00Z'),
  properties: { 'run-id': 'r-1', topic: 'tweets' },
});

test('a suite of passed and failed thresholds validates, with the counts of its cases', () => {
  const file = path.join(dir, 'storm.xml');
  fs.writeFileSync(
    file,
    renderJUnit([
      suite([
        { name: 'rate>=500k', kind: 'threshold', passed: false, detail: 'rate 412,000/s' },
        { name: 'p99<250ms', kind: 'threshold', passed: true, detail: 'p99 120 ms' },
        { name: 'failed==0', kind: 'threshold', passed: true, detail: 'failed 0' },
      ]),
      suite([{ name: 'nothing lost', kind: 'check', passed: true, detail: '0 lost' }], 'datastorm.verify'),
    ]),
  );
  const v = validateJUnit(file);
  assert.ok(v.valid, v.reasons);
  assert.deepEqual(junitCounts(file), { cases: 4, failed: 1, suiteTests: 4, suiteFailures: 1 });
  assert.equal(xpathNumber(file, 'count(/testsuites[@tests="4" and @failures="1"])'), 1);
  assert.equal(xpathNumber(file, 'count(//testcase[@name="rate>=500k"]/failure[@type="threshold"])'), 1);
});

test('no thresholds: an empty suite still validates', () => {
  const file = path.join(dir, 'empty.xml');
  fs.writeFileSync(file, renderJUnit([suite([])]));
  assert.ok(validateJUnit(file).valid);
  assert.deepEqual(junitCounts(file), { cases: 0, failed: 0, suiteTests: 0, suiteFailures: 0 });
});

test('generated names and details (markup, quotes, control characters) always validate and keep their counts', () => {
  const { seed, runs } = fuzzSettings(25);
  let files = 0;
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          name: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
          passed: fc.boolean(),
          detail: fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constant('</failure><x a="&">]]>')),
        }),
        { maxLength: 8 },
      ),
      (cases) => {
        const file = path.join(dir, `gen-${files++}.xml`);
        const gate = cases.map((c) => ({ ...c, kind: 'threshold' }));
        fs.writeFileSync(file, renderJUnit([suite(gate)]));
        const v = validateJUnit(file);
        assert.ok(v.valid, v.reasons);
        const failed = gate.filter((c) => !c.passed).length;
        assert.deepEqual(junitCounts(file), {
          cases: gate.length,
          failed,
          suiteTests: gate.length,
          suiteFailures: failed,
        });
      },
    ),
    { seed, numRuns: runs },
  );
  reportFuzz('junit', files, 'every generated file valid against junit-10.xsd with its counts');
});

test('the Markdown summary keeps user text as text and gives the verdict', () => {
  const md = renderSummaryMd({
    title: 'DataStorm storm r → <img src=x onerror=alert(1)>',
    figures: [['topic', 'a|b *bold* [link](http://x)']],
    cases: [
      { name: 'rate>=500k', kind: 'threshold', passed: false, detail: 'rate 412,000/s' },
      { name: 'p`99`<1s', kind: 'threshold', passed: true, detail: 'p99 <b>1</b> ms' },
    ],
  });
  assert.match(md, /^### DataStorm storm r → \\<img src=x onerror=alert\(1\)\\>$/m);
  assert.match(md, /^\*\*❌ 1 of 2 failed\*\*$/m);
  assert.match(md, /^\| ❌ \| `rate>=500k` \| rate 412,000\/s \|$/m);
  assert.match(md, /^\| ✅ \| `p99<1s` \| p99 \\<b\\>1\\<\/b\\> ms \|$/m);
  assert.match(md, /^\| topic \| a\\\|b \\\*bold\\\* \\\[link\\\]\(http:\/\/x\) \|$/m);
  const none = renderSummaryMd({ title: 't', figures: [], cases: [] });
  assert.match(none, /\*\*no thresholds set\*\*/);
});
