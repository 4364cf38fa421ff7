/**
 * The error table: every code has an exit of its own, and docs/storm.md's table of exit statuses says the same.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DataStormError, ErrorCodes, exitOf, wrapError } from '../../src/errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('distinct causes have distinct exits', () => {
  const exits: number[] = Object.values(ErrorCodes).map((c) => c.exit);
  assert.equal(new Set(exits).size, exits.length, JSON.stringify(ErrorCodes));
  assert.ok(!exits.includes(0) && !exits.includes(1), 'neither success nor Node.js own failure status');
});

test("docs/storm.md's table of exit statuses is the code's", () => {
  const page = fs.readFileSync(path.join(ROOT, 'docs/storm.md'), 'utf8');
  const rows = [...page.matchAll(/^\| (\d+) \| ([A-Z_]+) \|/gm)].map((m) => [m[2], Number(m[1])]);
  assert.deepEqual(
    Object.fromEntries(rows),
    Object.fromEntries(Object.entries(ErrorCodes).map(([code, c]) => [code, c.exit])),
  );
});

test('a wrapped error keeps its cause and takes its exit from the table', () => {
  const cause = new Error('EACCES');
  const e = wrapError('OUTPUT', '--html x: cannot write it', cause);
  assert.ok(e instanceof DataStormError);
  assert.equal(e.cause, cause);
  assert.equal(e.exitCode, exitOf('OUTPUT'));
  assert.deepEqual(e.problems, ['--html x: cannot write it']);
});
