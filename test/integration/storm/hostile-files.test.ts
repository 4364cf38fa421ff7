/**
 * Files and outputs a careless user (or a script) names: --schema, --scenario and `report FILE` given a directory, a
 * FIFO, a device, a huge or a missing file get one line naming the option within seconds (no hang, no stack trace, no
 * memory filled); --html on a full disk (/dev/full) or an unwritable path still leaves the finished run's report on
 * stdout and in its saved file, then says why with a non-zero exit. Generated cases with a fixed seed here; more with
 * make fuzz.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { StormReport } from '../../../src/report/storm-report.js';
import { fuzzSettings, reportFuzz } from '../../helpers/fuzz.js';
import { ROOT, run, uniqueTopic } from '../../helpers/services.js';
import { CLI, stormArgs } from '../../helpers/storm-cli.js';

test('a directory, a FIFO, a device, a huge or a missing file: one line naming the option, at once', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-files-'));
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const huge = path.join(dir, 'huge.avsc');
  fs.writeFileSync(huge, '');
  fs.truncateSync(huge, 300 << 20); // sparse: 300 MiB that take no disk
  const loop = path.join(dir, 'loop');
  fs.symlinkSync(loop, loop);
  const paths = [dir, fifo, '/dev/zero', '/dev/null', '/dev/urandom', huge, loop, path.join(dir, 'missing ✓.json')];
  const options = [
    { name: '--schema', argv: (p: string) => ['storm', '--schema', p], code: 8 },
    { name: '--scenario', argv: (p: string) => ['storm', '--scenario', p], code: 2 },
    { name: 'report', argv: (p: string) => ['report', p], code: 2 },
  ];
  const { seed, runs } = fuzzSettings(24);
  const seen = new Map<string, number>();
  try {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...options), fc.constantFrom(...paths), async (option, file) => {
        const started = Date.now();
        const r = await run(process.execPath, [CLI, ...option.argv(file)], {}, 15_000);
        const lines = r.stderr.trim().split('\n');
        assert.equal(r.code, option.code, `${option.name} ${file}: ${r.stderr}`);
        assert.equal(lines.length, 1, `one line: ${r.stderr}`);
        assert.ok(lines[0].startsWith(`datastorm: error: ${option.name} ${file}`), lines[0]);
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
        assert.ok(Date.now() - started < 10_000, 'at once');
        seen.set(option.name, (seen.get(option.name) ?? 0) + 1);
      }),
      { seed, numRuns: runs },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  reportFuzz('files given to --schema, --scenario, report', runs, JSON.stringify(Object.fromEntries(seen)));
});

test('--html on a full disk: the report is on stdout and saved, then one line and exit 15 (OUTPUT)', async () => {
  for (const html of ['/dev/full', '/proc/no-such-dir/run.html']) {
    const topic = uniqueTopic('html-full');
    const args = stormArgs(['--topic', topic, '--count', '2000', '--html', html]).filter((a) => a !== '--no-save');
    const r = await run(process.execPath, args, {}, 120_000);
    assert.equal(r.code, 15, r.stderr);
    const report = JSON.parse(r.stdout) as StormReport;
    assert.equal(report.acknowledged, 2000, 'the run and its report are whole');
    assert.match(
      r.stderr.trim().split('\n').pop() ?? '',
      new RegExp(`^datastorm: error: --html ${html}: cannot write it \\(`),
    );
    const saved = fs
      .readdirSync(path.join(ROOT, 'benchmarks/results/storms'))
      .filter((f) => f.endsWith(`-${report.runId}.json`));
    assert.equal(saved.length, 1, 'the saved report is there');
  }
});
