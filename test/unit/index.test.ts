/** DataStorm as a library: the package's own name resolves to the engines and their parsers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

test("import 'datastorm' gives storm(), pulse(), verify() and their options parsers", async () => {
  const lib = await import('datastorm');
  for (const f of [
    'storm',
    'pulse',
    'verify',
    'parseStormOptions',
    'parsePulseOptions',
    'parseVerifyOptions',
    'validOrThrow',
    'renderJUnit',
    'thresholdCases',
  ])
    assert.equal(typeof (lib as Record<string, unknown>)[f], 'function', f);
  assert.equal(lib.ErrorCodes.INVALID_OPTION.exit, 2);
});
