/**
 * Services that answer with something else: a Schema Registry (storm --schema-registry) and an InfluxDB (pulse) that
 * answer with generated wrong answers (a login page, an empty or truncated body, a redirect, JSON of another shape, an
 * error status with HTML) get one line naming the service and what came back, with the service's documented exit
 * (13 the registry; 9 InfluxDB, 11 for its 404), within seconds: never an unexpected-error exit, never a run that goes
 * on.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzSettings, reportFuzz } from '../helpers/fuzz.js';
import { bootstrap, redisUrl, run, uniqueTopic } from '../helpers/services.js';
import { CLI } from '../helpers/storm-cli.js';

interface WrongAnswer {
  status: number;
  type: string | null;
  body: 'html' | 'empty' | 'other-json' | 'array' | 'truncated' | 'garbage';
}

const BODIES: Record<WrongAnswer['body'], string> = {
  html: '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Sign in to continue</body></html>',
  empty: '',
  'other-json': '{"error_code":50001,"message":"store unavailable"}',
  array: '[1,2,3]',
  truncated: '{"id": 1, "buckets": [',
  garbage: '\u0000\u0001\u00ff not json at all',
};

const wrongAnswer: fc.Arbitrary<WrongAnswer> = fc.record({
  status: fc.constantFrom(200, 201, 301, 302, 307, 400, 404, 500, 502, 503),
  type: fc.constantFrom('text/html', 'application/json', 'text/plain', null),
  body: fc.constantFrom('html', 'empty', 'other-json', 'array', 'truncated', 'garbage'),
});

/** A server that gives every request the same wrong answer (a truncated body: a promised length, then a close). */
async function serve(answer: WrongAnswer): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    const body = BODIES[answer.body];
    const headers: Record<string, string> = {};
    if (answer.type) headers['content-type'] = answer.type;
    if (answer.status >= 300 && answer.status < 400) headers.location = 'http://127.0.0.1:1/elsewhere';
    if (answer.body === 'truncated') {
      res.writeHead(answer.status, { ...headers, 'content-length': String(body.length + 100) });
      res.write(body);
      setTimeout(() => res.destroy(), 20);
      return;
    }
    res.writeHead(answer.status, headers);
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

const SERVICES = [
  {
    name: 'the Schema Registry',
    exits: [13],
    line: /^datastorm: error: the Schema Registry at 127\.0\.0\.1:\d+ /,
    args: (url: string) => [
      ...['storm', '--bootstrap', bootstrap(), '--redis', redisUrl(), '--topic', uniqueTopic('wrong-registry')],
      ...['--quickstart', 'orders', '--count', '100', '--schema-registry', url, '--no-save', '--quiet'],
    ],
  },
  {
    name: 'InfluxDB',
    // 9: what came back is not InfluxDB's; 11: a 404, which InfluxDB gives for an org or bucket it does not have.
    exits: [9, 11],
    line: /^datastorm: error: InfluxDB (at|bucket '\w+' does not exist in org '\w+' at) http:\/\/127\.0\.0\.1:\d+/,
    args: (url: string) => [
      ...['pulse', '--bootstrap', bootstrap(), '--topic', uniqueTopic('wrong-influx'), '--count', '10'],
      ...['--influx-url', url, '--influx-token', 'not-a-secret-here', '--quiet'],
    ],
  },
];

for (const service of SERVICES)
  test(`${service.name} answering wrongly: one line naming it and what came back, exit ${service.exits}`, async () => {
    const { seed, runs } = fuzzSettings(10);
    const answers = fc.sample(wrongAnswer, { seed, numRuns: runs });
    // The cases a user meets most, always: a login page with 200, an empty 200, a redirect, a cut body.
    answers.push(
      { status: 200, type: 'text/html', body: 'html' },
      { status: 200, type: 'application/json', body: 'empty' },
      { status: 302, type: null, body: 'empty' },
      { status: 200, type: 'application/json', body: 'truncated' },
    );
    const seen = new Set<string>();
    for (const answer of answers) {
      const server = await serve(answer);
      const started = Date.now();
      try {
        const r = await run(process.execPath, [CLI, ...service.args(server.url)], {}, 30_000);
        const errors = r.stderr.split('\n').filter((l) => l.startsWith('datastorm: error: '));
        const what = `${JSON.stringify(answer)}: exit ${r.code}, ${r.stderr}`;
        assert.ok(service.exits.includes(r.code ?? -1), what);
        assert.equal(errors.length, 1, what);
        assert.match(errors[0], service.line, what);
        assert.doesNotMatch(r.stderr, /unexpected|^\s+at /m, what);
        assert.ok(Date.now() - started < 15_000, `answered in ${Date.now() - started} ms`);
        seen.add(errors[0].replace(/127\.0\.0\.1:\d+/, 'HOST').slice(0, 90));
      } finally {
        server.close();
      }
    }
    reportFuzz(`${service.name} answering wrongly`, answers.length, `${seen.size} distinct lines`);
  });
