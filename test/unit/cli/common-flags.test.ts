/**
 * The common flags (--quiet, --json, --no-save, --kafka-config, -X) on every command: taken where they mean something,
 * refused with why where they do not (exit 2, one line), never yargs' "Unknown argument".
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/cli/index.js');
const props = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-common-')), 'client.properties');
fs.writeFileSync(props, 'client.id=common-flags\n');

const FLAGS: Record<string, string[]> = {
  '--quiet': ['--quiet'],
  '--json': ['--json'],
  '--no-save': ['--no-save'],
  '--kafka-config': ['--kafka-config', props],
  '-X': ['-X', 'client.id=x'],
};
/** What each command does with each flag: taken, or refused with the reason's start. */
const EXPECTED: Record<string, Record<string, 'taken' | RegExp>> = {
  storm: { '--quiet': 'taken', '--json': 'taken', '--no-save': 'taken', '--kafka-config': 'taken', '-X': 'taken' },
  pulse: {
    '--quiet': 'taken',
    '--json': 'taken',
    '--no-save': /^--save\/--no-save: pulse saves no report file/,
    '--kafka-config': 'taken',
    '-X': 'taken',
  },
  verify: {
    '--quiet': /^--quiet: verify prints no progress/,
    '--json': 'taken',
    '--no-save': /^--save\/--no-save: verify saves no report file/,
    '--kafka-config': 'taken',
    '-X': 'taken',
  },
  report: {
    '--quiet': /^--quiet: report prints the report and nothing else/,
    '--json': 'taken',
    '--no-save': /^--save\/--no-save: report writes no file/,
    '--kafka-config': /^--kafka-config: report reads a saved report or a run's Redis, never Kafka/,
    '-X': /^-X: report reads a saved report or a run's Redis, never Kafka/,
  },
  dashboard: {
    '--quiet': /^--quiet: dashboard prints only/,
    '--json': /^--json: dashboard serves pages/,
    '--no-save': /^--save\/--no-save: dashboard saves nothing/,
    '--kafka-config': 'taken',
    '-X': 'taken',
  },
};
/** Something else wrong with each command line, so that a taken flag shows as a different refusal. */
const ELSE_WRONG: Record<string, string[]> = {
  storm: ['--topic', 'bad topic!'],
  pulse: ['--topic', 'bad topic!'],
  verify: ['--topic', 'bad topic!'],
  report: ['/nonexistent/report.json'],
  dashboard: ['--run-id', 'r', '--topic', 'bad topic!'],
};

for (const [command, flags] of Object.entries(EXPECTED))
  for (const [flag, expected] of Object.entries(flags))
    test(`${command} ${flag}: ${expected === 'taken' ? 'taken' : 'refused with why'}`, () => {
      const r = spawnSync(process.execPath, [CLI, command, ...FLAGS[flag], ...ELSE_WRONG[command]], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('datastorm: error: '));
      assert.ok(errors.length >= 1, r.stderr);
      assert.doesNotMatch(r.stderr, /Unknown argument/);
      assert.notEqual(r.status, 0);
      if (expected === 'taken') assert.ok(!errors.some((l) => l.includes(flag.replace(/^--no-/, '--'))), r.stderr);
      else {
        assert.equal(r.status, 2, r.stderr);
        assert.match(errors[0].replace('datastorm: error: ', ''), expected);
      }
    });
