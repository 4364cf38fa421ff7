/** What `ps` shows of a DataStorm process whose command line carries secrets: the same line, secrets as ***. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskedArguments } from '../../../src/cli/hide-secrets.js';

test('secret -X settings, --influx-token and a Redis password are masked; the rest is left as typed', () => {
  assert.deepEqual(
    maskedArguments([
      'storm',
      '-X',
      'sasl.password=hunter2',
      '-Xssl.key.password=k',
      '-X',
      'security.protocol=sasl_ssl',
      '--influx-token',
      'tok',
      '--influx-token=tok2',
      '--redis',
      'redis://user:pw@host:6379',
      '--redis=rediss://:pw2@host',
      '--count',
      '10',
    ]),
    [
      'storm',
      '-X',
      'sasl.password=***',
      '-Xssl.key.password=***',
      '-X',
      'security.protocol=sasl_ssl',
      '--influx-token',
      '***',
      '--influx-token=***',
      '--redis',
      'redis://user:***@host:6379',
      '--redis=rediss://:***@host',
      '--count',
      '10',
    ],
  );
});
