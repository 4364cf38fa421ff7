/**
 * Settings mean the same wherever they come from: every storm row of the bad-input table (docs/bad-input.md) that is
 * flags alone runs once as flags and once as a scenario file holding the same settings. Both must exit alike and say
 * the same line; the file's says where the setting came from (`--scenario FILE: 'acks' …` for `--acks …`), nothing
 * else. The rules between settings (what --acks and --idempotence allow together, and the like) are among the rows.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { bootstrap, ROOT, redisUrl, run } from '../helpers/services.js';
import { CLI } from '../helpers/storm-cli.js';

interface Row {
  n: number;
  args: string[];
  exit: number;
}

/** Words of a command line as a shell splits them (single and double quotes); null for anything more (;, >, |). */
function words(command: string): string[] | null {
  if (/[;|&<>$`]/.test(command.replace(/'[^']*'|"[^"]*"/g, ''))) return null;
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/**
 * Flags that are not a run's settings, which a scenario file does not hold: the file itself, thresholds (its own
 * list), the client's files, and where the report goes.
 */
const NOT_SETTINGS = new Set(
  ['scenario', 'threshold', 'kafka-config', 'from-report', 'help', 'json', 'quiet', 'save', 'no-save', 'html'].concat([
    'junit',
    'summary-md',
    'dashboard',
    'dashboard-host',
    'dashboard-linger',
  ]),
);

/** `--name value`, `--name=value` and `--name` (true) pairs; null when an argument is not a flag a file can hold. */
function settings(args: string[]): [string, string | true][] | null {
  const out: [string, string | true][] = [];
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(args[i]);
    if (!m || NOT_SETTINGS.has(m[1])) return null;
    if (m[2] !== undefined) out.push([m[1], m[2]]);
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) out.push([m[1], args[++i]]);
    else out.push([m[1], true]);
  }
  return out;
}

function stormRows(): Row[] {
  const page = fs.readFileSync(path.join(ROOT, 'docs/bad-input.md'), 'utf8');
  const rows: Row[] = [];
  for (const line of page.split('\n')) {
    const m = /^\|\s*(\d+)\s*\|\s*`npm run -s storm -- (.+?)`\s*\|\s*(\d+)\s*\|/.exec(line);
    const args = m && words(m[2]);
    if (m && args && settings(args)) rows.push({ n: Number(m[1]), args, exit: Number(m[3]) });
  }
  return rows;
}

const local = (s: string) =>
  s.split('127.0.0.1:19092').join(bootstrap()).split('redis://127.0.0.1:6379').join(redisUrl());

function errorLine(stderr: string): string {
  return stderr.split('\n').find((l) => l.startsWith('datastorm: error: ')) ?? `(no error line) ${stderr}`;
}

const rows = stormRows();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-parity-'));

test('most of the storm rows of the table are flags alone, and run both ways', () => {
  assert.ok(rows.length >= 40, `${rows.length} rows`);
});

for (const row of rows) {
  test(`row ${row.n} as flags and as a scenario file: ${row.args.join(' ')}`, async () => {
    const args = row.args.map(local);
    const file = path.join(dir, `row-${row.n}.yaml`);
    const yaml = (settings(args) ?? []).map(([k, v]) => `${k}: ${v === true ? 'true' : JSON.stringify(v)}`);
    fs.writeFileSync(file, `${yaml.join('\n')}\n`);
    const asFlags = await run(process.execPath, [CLI, 'storm', ...args], {}, 60_000);
    const asFile = await run(process.execPath, [CLI, 'storm', '--scenario', file], {}, 60_000);
    assert.equal(asFlags.code, row.exit, asFlags.stderr);
    assert.equal(asFile.code, asFlags.code, `${yaml.join('; ')}: ${asFile.stderr}`);
    const fromFile = errorLine(asFile.stderr).replace(
      new RegExp(`--scenario ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: '([a-z0-9-]+)'`, 'g'),
      '--$1',
    );
    assert.equal(fromFile, errorLine(asFlags.stderr), yaml.join('; '));
  });
}
