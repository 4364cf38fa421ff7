/**
 * The Schema Registry wire format against a real registry (Apicurio Registry, Confluent's API): the storm registers
 * its schema under the strategy's subject and frames every record with the id; confluent-kafka's AvroDeserializer,
 * fetching the schema by id, reads every record; verify and pulse read framed tweets; an unreachable registry is said
 * within seconds; a registry URL with credentials and an unknown registry setting are refused.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { PulseReport } from '../../../src/report/pulse-report.js';
import { pulseArgs } from '../../helpers/pulse-cli.js';
import { readRecords } from '../../helpers/py-reader.js';
import {
  freshBucket,
  influxToken,
  ROOT,
  registryUrl,
  run,
  sentimentTotals,
  uniqueTopic,
} from '../../helpers/services.js';
import { stormArgs, stormJson, verifyJson } from '../../helpers/storm-cli.js';
import { startTlsFront } from '../../helpers/tls-front.js';

async function subjectIds(subject: string): Promise<number[]> {
  const base = `${registryUrl()}/subjects/${encodeURIComponent(subject)}/versions`;
  const versions = (await (await fetch(base)).json()) as number[];
  const ids: number[] = [];
  for (const v of versions) ids.push(((await (await fetch(`${base}/${v}`)).json()) as { id: number }).id);
  return ids;
}

test('framed tweets: registered under TOPIC-value, read by the deserializer, by verify and by pulse', async () => {
  const topic = uniqueTopic('framed-tweets');
  const n = 30_000;
  const { report } = await stormJson([
    ...['--topic', topic, '--count', String(n), '--keys', 'uniform:20', '--sentiment', '50,30,20'],
    ...['--schema-registry', registryUrl()],
  ]);
  assert.equal(report.acknowledged, n);
  const [id] = await subjectIds(`${topic}-value`);
  assert.ok(Number.isInteger(id), 'the tweet schema is registered under the topic strategy subject');
  const records = await readRecords(topic, null, { registry: registryUrl() });
  assert.equal(records.length, n);
  assert.deepEqual(records.filter((r) => r.error !== undefined).slice(0, 2), [], 'AvroDeserializer reads every record');
  assert.ok(records.every((r) => r.schemaId === id));
  assert.ok(
    records.every((r) => r.key === (r.value?.user as { handle?: string } | undefined)?.handle),
    'keys are the users',
  );

  const framed = await verifyJson(topic, undefined, ['--schema-registry', registryUrl()]);
  assert.equal(framed.code, 0);
  assert.deepEqual([framed.report.received, framed.report.lost, framed.report.duplicated], [n, 0, 0]);
  const plain = await verifyJson(topic);
  assert.equal(plain.report.undecodable, n, 'without the registry, framed records are not plain Avro tweets');

  const bucket = await freshBucket('framed');
  const p = await run(
    process.execPath,
    pulseArgs(topic, bucket, [
      '--store',
      'counts',
      '--influx-token',
      influxToken(),
      '--schema-registry',
      registryUrl(),
    ]),
  );
  assert.equal(p.code, 0, p.stderr);
  const pulse = JSON.parse(p.stdout) as PulseReport;
  assert.equal(pulse.consumed, n);
  assert.equal(pulse.undecodable, 0);
  assert.deepEqual(await sentimentTotals(bucket), { positive: 15_000, negative: 9000, neutral: 6000 });
});

test('framed records of a quickstart under the record name strategies', async () => {
  for (const [strategy, subject] of [
    ['topic-record', (t: string) => `${t}-ksql.pageviews`],
    ['record', () => 'ksql.pageviews'],
  ] as const) {
    const topic = uniqueTopic(`framed-${strategy}`);
    const flags = ['--quickstart', 'pageviews', '--count', '5000', '--workers', '1', '--topic', topic];
    await stormJson([...flags, '--schema-registry', registryUrl(), '--subject-strategy', strategy]);
    const ids = await subjectIds(subject(topic));
    const records = await readRecords(topic, null, { registry: registryUrl() });
    assert.equal(records.length, 5000, strategy);
    assert.ok(
      records.every((r) => r.error === undefined && r.schemaId === ids[0]),
      strategy,
    );
    assert.ok(
      records.every((r) => r.key === String(r.value?.viewtime)),
      'keyed by viewtime',
    );
  }
});

test('an unreachable registry said within seconds; credentials in its URL, unknown settings refused', async () => {
  const started = Date.now();
  const down = await run(process.execPath, stormArgs(['--count', '10', '--schema-registry', 'http://127.0.0.1:1']));
  assert.equal(down.code, 12, down.stderr);
  assert.match(down.stderr, /Schema Registry at 127\.0\.0\.1:1 is unreachable/);
  assert.ok(Date.now() - started < 15_000, 'within seconds');
  const secret = 's3cr3t-pw';
  const inUrl = await run(
    process.execPath,
    stormArgs(['--count', '10', '--schema-registry', `http://u:${secret}@h:1`]),
  );
  assert.equal(inUrl.code, 2);
  assert.match(inUrl.stderr, /must not carry credentials: put basic\.auth\.user\.info in a --registry-config file/);
  assert.doesNotMatch(inUrl.stderr + inUrl.stdout, new RegExp(secret), 'the secret is never printed');
  const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ds-reg-')), 'registry.properties');
  fs.writeFileSync(config, `basic.auth.user.info=u:${secret}\nschema.registry.colour=blue\n`);
  const unknown = await run(
    process.execPath,
    stormArgs(['--count', '10', '--schema-registry', registryUrl(), '--registry-config', config]),
  );
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--registry-config .*unknown setting 'schema\.registry\.colour'/);
  assert.doesNotMatch(unknown.stderr, new RegExp(secret));
});

test("Protobuf: plain messages read by Google's protobuf, framed ones by ProtobufDeserializer", async () => {
  const proto = path.join(ROOT, 'schemas/examples/clicks.proto');
  const message = 'datastorm.examples.Click';
  const plainTopic = uniqueTopic('proto-plain');
  const flags = ['--proto', proto, '--message', message, '--key-field', 'user_id', '--count', '5000', '--workers', '1'];
  const { report } = await stormJson([...flags, '--topic', plainTopic]);
  assert.equal(report.record?.format, 'protobuf');
  const plain = await readRecords(plainTopic, null, { proto, message });
  assert.equal(plain.length, 5000);
  assert.deepEqual(plain.filter((r) => r.error !== undefined).slice(0, 2), []);
  assert.ok(
    plain.every((r) => r.key === r.value?.user_id),
    'keys are user_id',
  );
  assert.ok(new Set(plain.map((r) => r.value?.device)).size >= 2, 'enums drawn');

  const framedTopic = uniqueTopic('proto-framed');
  await stormJson([...flags, '--topic', framedTopic, '--schema-registry', registryUrl()]);
  const [id] = await subjectIds(`${framedTopic}-value`);
  const framed = await readRecords(framedTopic, null, { proto, message, registry: registryUrl() });
  assert.equal(framed.length, 5000);
  assert.deepEqual(framed.filter((r) => r.error !== undefined).slice(0, 2), []);
  assert.ok(framed.every((r) => r.schemaId === id));
  const registered = (await (await fetch(`${registryUrl()}/schemas/ids/${id}`)).json()) as { schemaType?: string };
  assert.equal(registered.schemaType, 'PROTOBUF');
});

test('a registry behind TLS and basic auth: CA and credentials from --registry-config, never shown', async () => {
  const password = 'pw-9f3k-secret';
  const front = await startTlsFront(registryUrl(), 'storm', password);
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-reg-tls-'));
    const config = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const good = config('good.properties', `basic.auth.user.info=storm:${password}\nssl.ca.location=${front.ca}\n`);
    const wrong = config(
      'wrong.properties',
      `basic.auth.user.info=storm:not-${password}\nssl.ca.location=${front.ca}\n`,
    );
    const noCa = config('no-ca.properties', `basic.auth.user.info=storm:${password}\n`);
    const topic = uniqueTopic('tls-registry');
    const base = ['--count', '2000', '--workers', '1', '--topic', topic, '--schema-registry', front.url];
    const ok = await run(process.execPath, stormArgs([...base, '--registry-config', good]));
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await subjectIds(`${topic}-value`)).length, 1, 'registered through the secured front');
    const refused = await run(process.execPath, stormArgs([...base, '--registry-config', wrong]));
    assert.equal(refused.code, 13, refused.stderr);
    assert.match(refused.stderr, /Schema Registry at 127\.0\.0\.1:\d+ refused the credentials/);
    const untrusted = await run(process.execPath, stormArgs([...base, '--registry-config', noCa]));
    assert.equal(untrusted.code, 12, untrusted.stderr);
    assert.match(untrusted.stderr, /certificate/);
    for (const r of [ok, refused, untrusted]) assert.doesNotMatch(r.stdout + r.stderr, new RegExp(password));
  } finally {
    front.close();
  }
});
