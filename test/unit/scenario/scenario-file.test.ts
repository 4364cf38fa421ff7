/** Scenario files: YAML or JSON, every problem at once naming the file and key; the command line wins over the file. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseStormOptions } from '../../../src/storm/options.js';
import { ROOT } from '../../helpers/services.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scenario-'));
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

test('a YAML scenario gives the shape, warm-up, keys and its description', () => {
  const f = file(
    'launch.yaml',
    [
      'description: Launch day, ramp hold spike drain',
      'stages: [30s:0-200k, 60s:200k, 10s:600k, 30s:0]',
      'warmup: 10s',
      'keys: zipf:1000:1.2',
      'workers: 2',
    ].join('\n'),
  );
  const r = parseStormOptions({ scenario: f });
  assert.deepEqual(r.problems, []);
  const o = r.request;
  assert.ok(o);
  assert.equal(o.shape.name, 'stages');
  assert.equal(o.duration, 130);
  assert.equal(o.count, undefined, 'the stages end the run; no default count');
  assert.equal(o.warmup, 10);
  assert.deepEqual(o.keys, { kind: 'zipf', n: 1000, s: 1.2 });
  assert.equal(o.workers, 2);
  assert.deepEqual(o.scenario, { file: f, description: 'Launch day, ramp hold spike drain' });
});

test('JSON works too, maps become key=value specs, and the command line wins', () => {
  const f = file('max.json', JSON.stringify({ 'find-max': { start: '10k', step: '10k', every: '5s' }, workers: 3 }));
  const o = parseStormOptions({ scenario: f, workers: '1' }).request;
  assert.equal(o?.shape.name, 'find-max');
  assert.deepEqual(o?.findMax, { start: 10_000, step: 10_000, everySec: 5, tolerance: 0.05, p99Ms: 1000 });
  assert.equal(o?.workers, 1);
  const bare = file('bare.yaml', 'find-max: true\n');
  assert.equal(parseStormOptions({ scenario: bare }).request?.shape.name, 'find-max');
});

test("every problem at once: unknown keys, bad values (named by file and key), the command line's own", () => {
  const f = file('bad.yaml', 'stages: 30s:fast\nspeed: 9\nkeys: zipf:10\nwarmup: soon\n');
  const r = parseStormOptions({ scenario: f, acks: '2' });
  assert.equal(r.request, undefined);
  const text = r.problems.join('\n');
  assert.equal(r.problems.length, 5, text);
  assert.match(text, new RegExp(`--scenario ${f}: 'speed' is not a storm flag`));
  assert.match(text, new RegExp(`--scenario ${f}: 'stages' stage 1 '30s:fast': rate must be`));
  assert.match(text, new RegExp(`--scenario ${f}: 'keys' must be none, round-robin`));
  assert.match(text, new RegExp(`--scenario ${f}: 'warmup' must be a duration`));
  assert.match(text, /^--acks must be 0, 1 or all/m);
  assert.match(
    parseStormOptions({ scenario: path.join(dir, 'nope.yaml') }).problems[0],
    /cannot read it \(no such file\)/,
  );
  assert.match(parseStormOptions({ scenario: file('list.yaml', '- a\n- b\n') }).problems[0], /must be a map/);
  assert.match(parseStormOptions({ scenario: file('broken.yaml', 'a: [1,\n') }).problems[0], /not valid YAML or JSON/);
});

test('shape rules: one shape; stages set the duration; warm-up shorter than the run; a sine needs an end', () => {
  assert.match(parseStormOptions({ rate: '5000', stages: '10s:5k' }).problems[0], /give one rate shape/);
  assert.match(parseStormOptions({ stages: '10s:5k', duration: '20' }).problems[0], /--duration cannot be given/);
  assert.match(parseStormOptions({ stages: '10s:5k', warmup: '10s' }).problems[0], /--warmup must be shorter/);
  assert.match(parseStormOptions({ sine: '10k,5k,10s' }).problems[0], /--sine needs --duration or --count/);
  const ok = parseStormOptions({ sine: '10k,5k,10s', duration: '30', warmup: '5s' }).request;
  assert.equal(ok?.shape.name, 'sine');
  assert.equal(ok?.shape.description, 'sine: 10k/s ± 5k/s every 10s');
  assert.equal(ok?.rate, 0, 'the constant --rate is not in play');
  assert.equal(parseStormOptions({}).request?.shape.name, 'unlimited');
  assert.equal(parseStormOptions({ rate: '2000' }).request?.shape.schedule, 'L,-1,2000,2000,0');
});

test('the example scenarios in scenarios/ are valid as shipped', () => {
  const examples = path.join(ROOT, 'scenarios');
  const files = fs.readdirSync(examples);
  assert.ok(files.length >= 3, files.join(', '));
  for (const f of files) {
    const r = parseStormOptions({ scenario: path.join(examples, f) });
    assert.deepEqual(r.problems, [], f);
    assert.ok(r.request?.scenario?.description, `${f} has a description`);
  }
});
