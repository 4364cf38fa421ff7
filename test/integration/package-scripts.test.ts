/**
 * Every script in package.json works as written, on a copy of this tree as a fresh clone has it (its own dist/ and
 * native build, none of the variables scripts/test.sh sets): each is run here, or by the test named for it, or not run
 * for the reason given. A script without a plan fails the first test, so package.json cannot grow an untested one.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { bootstrap, ROOT } from '../helpers/services.js';

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** Scripts the README's examples run (test/integration/docs-examples.test.ts runs each example as written). */
const RUN_BY_DOCS_EXAMPLES = ['storm', 'pulse', 'verify', 'report'];
/** Run here, in the copy, in this order (the build before what needs dist/, the addon before the unit tests). */
const RUN_HERE = ['install', 'build:native', 'build', 'test:unit', 'lint', 'format', 'cluster'];
const NOT_RUN: Record<string, string> = {
  test: 'the whole suite, which is running this test (.ci/run runs it on a fresh clone)',
  'test:integration': "the suite's integration half through scripts/test.sh, which is running this test",
};

let copy: string;

/** The tree as a clone has it (tracked and new files, no build output), with this tree's node_modules linked. */
before(() => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-scripts-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(copy, f));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  // A clone is a git work tree (the line-length check lists files with git ls-files).
  execFileSync('git', ['init', '-q'], { cwd: copy });
  execFileSync('git', ['add', '-A'], { cwd: copy });
});
after(() => fs.rmSync(copy, { recursive: true, force: true }));

/** The environment of a new user's shell: none of the test suite's variables, nor the test runner's own. */
const userEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('DATASTORM_TEST_') && k !== 'NODE_TEST_CONTEXT'),
  );

function npmRun(script: string, args: string[] = [], env = userEnv(), cwd = copy) {
  const r = spawnSync('npm', ['run', '-s', script, ...(args.length ? ['--', ...args] : [])], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 64 << 20,
  });
  assert.equal(r.status, 0, `npm run ${script}: exit ${r.status}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r;
}

const treeHash = (dir: string) =>
  crypto
    .createHash('sha256')
    .update(
      execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
        .toString()
        .split('\0')
        .filter((f) => f && fs.existsSync(path.join(dir, f)))
        .map((f) => `${f}\0${fs.readFileSync(path.join(dir, f)).toString('base64')}`)
        .join('\n'),
    )
    .digest('hex');

test('every script in package.json has a plan', () => {
  const planned = [...RUN_BY_DOCS_EXAMPLES, ...RUN_HERE, ...Object.keys(NOT_RUN)];
  assert.deepEqual(Object.keys(manifest.scripts).sort(), [...new Set(planned)].sort());
});

test("the scripts the README's examples run are in its examples", () => {
  const blocks = [...fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .join('\n');
  for (const script of RUN_BY_DOCS_EXAMPLES) assert.match(blocks, new RegExp(`npm run (-s )?${script} `), script);
});

test('install and build:native build the addon in a fresh tree', () => {
  const addon = path.join(copy, 'native/build/Release/datastorm_native.node');
  npmRun('install');
  assert.ok(fs.existsSync(addon), 'npm run install built no addon');
  fs.rmSync(path.join(copy, 'native/build'), { recursive: true });
  npmRun('build:native');
  assert.ok(fs.existsSync(addon), 'npm run build:native built no addon');
});

test('build makes the bundled CLI, which runs', () => {
  npmRun('build');
  for (const entry of ['cli/index.js', 'storm/child.js', 'pulse/child.js'])
    assert.ok(fs.existsSync(path.join(copy, 'dist/src', entry)), entry);
  const r = spawnSync(process.execPath, ['dist/src/cli/index.js', '--version'], { cwd: copy, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), JSON.parse(fs.readFileSync(path.join(copy, 'package.json'), 'utf8')).version);
});

test('test:unit passes alone, without the variables scripts/test.sh sets', () => {
  const r = npmRun('test:unit');
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(r.stdout)?.[1]);
  assert.ok(count('pass') > 100, r.stdout.slice(-500));
  assert.equal(count('fail'), 0);
  assert.equal(count('skipped'), 0);
});

test('lint passes and format changes nothing', () => {
  npmRun('lint');
  const before = treeHash(copy);
  npmRun('format');
  assert.equal(treeHash(copy), before, 'npm run format rewrote files lint had passed');
});

test('cluster runs kafka-cluster/cluster.sh: the running test cluster answers bootstrap', () => {
  const r = npmRun('cluster', ['bootstrap'], process.env, ROOT);
  assert.equal(r.stdout.trim(), bootstrap());
});
