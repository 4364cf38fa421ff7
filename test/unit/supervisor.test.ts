/**
 * The supervisor with a tiny real child (test/fixtures/supervised-child.ts): restarts, the named limit, typed fatals,
 * stop.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DataStormError } from '../../src/errors.js';
import { type ChildExit, MAX_RESTARTS_PER_SLOT, Supervisor } from '../../src/supervisor.js';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/supervised-child.js');
type Msg = { t: string; slot: number; incarnation?: number; code?: string; message?: string };

function supervise(
  behaviour: string,
  onMessage: (m: Msg, s: Supervisor<Msg>) => void = () => undefined,
  onRestart: (s: Supervisor<Msg>) => Promise<void> = async () => undefined,
) {
  const exits: ChildExit[] = [];
  const s: Supervisor<Msg> = new Supervisor<Msg>({
    script: SCRIPT,
    env: 'FIXTURE_CHILD',
    config: (id) => ({ ...id, behaviour }) as typeof id,
    onMessage: (m) => onMessage(m, s),
    fatalOf: (f) => new DataStormError(f.code, `child ${f.slot}: ${f.message}`),
    beforeRestart: async (dead) => {
      exits.push(dead);
      await onRestart(s);
    },
  });
  return { s, exits };
}

test('a child that keeps dying is restarted up to the named limit, then the run fails with INTERNAL', async () => {
  const { s, exits } = supervise('die');
  await s.run(1);
  assert.equal(s.restarts, MAX_RESTARTS_PER_SLOT);
  assert.deepEqual(
    exits.map((e) => [e.incarnation, e.code]),
    Array.from({ length: MAX_RESTARTS_PER_SLOT }, (_, i) => [i, 3]),
  );
  assert.equal(s.fatal[0]?.code, 'INTERNAL');
  assert.match(s.fatal[0].message, new RegExp(`child 0 died ${MAX_RESTARTS_PER_SLOT + 1} times \\(last: exit 3\\)`));
});

test('a child that dies once is restarted as the next incarnation, and stop ends both slots', async () => {
  const ticks: Msg[] = [];
  const { s } = supervise('die-once', (m, sup) => {
    if (m.t === 'tick') ticks.push(m);
    if (ticks.length === 2) sup.stop();
  });
  await s.run(2);
  assert.equal(s.restarts, 2);
  assert.deepEqual(ticks.map((m) => m.incarnation).sort(), [1, 1]);
  assert.equal(s.fatal.length, 0);
  assert.equal(s.stopped, true);
});

test("a child's typed error reaches the primary with its code, and stops the run", async () => {
  const { s } = supervise('fatal');
  await s.run(1);
  assert.equal(s.restarts, 0);
  assert.equal(s.fatal[0]?.code, 'TOPIC');
  assert.equal(s.fatal[0].message, 'child 0: no such topic');
});

test('a stop (SIGTERM, Ctrl-C) that comes while a dead child is being replaced stops the replacement too', async () => {
  const ticks: Msg[] = [];
  const { s } = supervise(
    'die-once',
    (m) => {
      if (m.t === 'tick') ticks.push(m);
    },
    async (sup) => {
      sup.stop(); // arrives during the give-back of the dead child's work
      await new Promise((r) => setTimeout(r, 50));
    },
  );
  const ended = await Promise.race([s.run(1).then(() => 'ended'), new Promise((r) => setTimeout(r, 5000, 'hung'))]);
  assert.equal(ended, 'ended', 'no replacement left running past the stop');
  assert.deepEqual(ticks, [], 'no successor was forked');
  assert.equal(s.stopped, true);
});
