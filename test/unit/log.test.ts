/**
 * The logger is made on the first line that goes somewhere: a line below the level (librdkafka's retries at debug,
 * every tick of a storm child) must not load winston, and a line at or above it is written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const LOG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/log.js');

/** Logs one debug line, then one warn line, reporting whether winston was loaded after each. */
function logInChild(env: Record<string, string>): { loaded: boolean[]; stderr: string } {
  const script = `
    import { createRequire } from 'node:module';
    const { log } = await import(${JSON.stringify(LOG)});
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/winston/'));
    log.debug('a debug line');
    const afterDebug = loaded();
    log.warn('a warning');
    console.log(JSON.stringify([afterDebug, loaded()]));`;
  const { DATASTORM_LOG, DATASTORM_LOG_FILE, ...rest } = process.env;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...rest, ...env },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return { loaded: JSON.parse(r.stdout) as boolean[], stderr: r.stderr };
}

test('a debug line at the default level loads nothing and writes nothing; a warning is written', () => {
  const { loaded, stderr } = logInChild({});
  assert.deepEqual(loaded, [false, true]);
  assert.equal(stderr, 'datastorm: warn: a warning\n');
});

test('DATASTORM_LOG=debug writes the debug line too', () => {
  const { loaded, stderr } = logInChild({ DATASTORM_LOG: 'debug' });
  assert.deepEqual(loaded, [true, true]);
  assert.equal(stderr, 'datastorm: debug: a debug line\ndatastorm: warn: a warning\n');
});
