/**
 * Client settings from a Java properties file and -X: the file read as Java reads it, Java names translated to
 * librdkafka's where they can be, refused with what to do where they cannot, DataStorm's own settings refused with
 * their flag, librdkafka asked about the rest, and secrets never in a line.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { maskSecrets, parseKafkaTarget, translateJava } from '../../../src/kafka/client-config.js';
import { parseJavaProperties } from '../../../src/kafka/java-properties.js';
import { OptionChecks } from '../../../src/option-checks.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-client-config-'));
const file = (text: string) => {
  const f = path.join(dir, `client-${Math.random().toString(36).slice(2)}.properties`);
  fs.writeFileSync(f, text);
  return f;
};
const target = (flags: Record<string, unknown>) => {
  const checks = new OptionChecks();
  const parsed = parseKafkaTarget(checks, flags);
  return { ...parsed, problems: checks.problems };
};

test('a properties file is read as java.util.Properties reads it', () => {
  const p = parseJavaProperties(
    '# a comment\n! another\n  a = 1\nb:2\nc 3\nd=line\\\n    continued\ne=tab\\there\nf=\\u0041\\=\nempty=\na=last\n',
  );
  assert.deepEqual(Object.fromEntries(p), {
    a: 'last',
    b: '2',
    c: '3',
    d: 'linecontinued',
    e: 'tab\there',
    f: 'A=',
    empty: '',
  });
});

test('SCRAM and PLAIN logins become sasl.username and sasl.password; PEM stores become locations', () => {
  const problems: string[] = [];
  const { settings, bootstrap } = translateJava(
    parseJavaProperties(
      [
        'bootstrap.servers=b1:9093,b2:9093',
        'security.protocol=SASL_SSL',
        'sasl.mechanism=SCRAM-SHA-512',
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" ' +
          'password="s3cr\\\\"et";',
        'ssl.truststore.type=PEM',
        'ssl.truststore.location=/etc/ca.pem',
        'ssl.keystore.type=PEM',
        'ssl.keystore.location=/etc/client.pem',
        'ssl.endpoint.identification.algorithm=',
        'key.serializer=org.apache.kafka.common.serialization.ByteArraySerializer',
      ].join('\n'),
    ),
    (p) => problems.push(p),
  );
  assert.deepEqual(problems, []);
  assert.equal(bootstrap, 'b1:9093,b2:9093');
  assert.deepEqual(settings, {
    'security.protocol': 'sasl_ssl',
    'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.username': 'alice',
    'sasl.password': 's3cr\\"et',
    'ssl.ca.location': '/etc/ca.pem',
    'ssl.certificate.location': '/etc/client.pem',
    'ssl.key.location': '/etc/client.pem',
    'ssl.endpoint.identification.algorithm': 'none',
  });
});

test('what librdkafka cannot read is refused with what to use instead', () => {
  const problems: string[] = [];
  translateJava(
    parseJavaProperties(
      [
        'ssl.truststore.location=/etc/truststore.jks',
        'ssl.keystore.type=JKS',
        'ssl.keystore.location=/etc/keystore.jks',
        'sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;',
      ].join('\n'),
    ),
    (p) => problems.push(p),
  );
  assert.equal(problems.length, 3);
  assert.match(
    problems[0],
    /^sasl\.jaas\.config's login module software\.amazon\.msk\.auth\.iam\.IAMLoginModule has no/,
  );
  assert.match(problems[1], /^ssl\.truststore\.location is a JKS truststore, .*give ssl\.ca\.location$/);
  assert.match(problems[2], /^ssl\.keystore\.location is a JKS keystore, .*convert it to PKCS12/);
});

test("DataStorm's own settings are refused with their flag; -X wins over the file", () => {
  const f = file('security.protocol=SSL\nlinger.ms=5\n');
  const r = target({ 'kafka-config': f, X: ['security.protocol=sasl_ssl', 'acks=1', 'client.rack=r1'] });
  assert.deepEqual(r.problems, [
    'linger.ms is set by DataStorm: use --linger-ms instead of the client settings',
    'acks is set by DataStorm: use --acks instead of the client settings',
  ]);
  assert.equal(r.client['security.protocol'], 'sasl_ssl');
});

test('librdkafka refuses what it does not know, naming it; a secret value never shows in the line', () => {
  const r = target({ X: ['no.such.setting=1', 'sasl.password=hunter2'] });
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0], /^--kafka-config\/-X: librdkafka refused a client setting: .*no\.such\.setting/);
  const bad = target({ X: ['security.protocol=carrier-pigeon', 'sasl.password=hunter2'] });
  assert.match(bad.problems[0], /security\.protocol/);
  for (const p of [...r.problems, ...bad.problems]) assert.doesNotMatch(p, /hunter2/);
  assert.deepEqual(target({ X: ['sasl.password'] }).problems, [
    "-X must be key=value, a librdkafka setting (got '***')",
  ]);
});

test('the bootstrap comes from --bootstrap, else the file; both must agree', () => {
  const f = file('bootstrap.servers=b1:9093\n');
  assert.equal(target({ 'kafka-config': f }).bootstrap, 'b1:9093');
  assert.equal(target({ 'kafka-config': f, bootstrap: 'b1:9093' }).bootstrap, 'b1:9093');
  assert.match(target({ 'kafka-config': f, bootstrap: 'b2:9093' }).problems[0], /^--bootstrap b2:9093 differs from/);
});

test('a file that cannot be read, or is not a file, is one line naming --kafka-config', () => {
  assert.match(target({ 'kafka-config': dir }).problems[0], /^--kafka-config must be a properties file/);
  assert.match(
    target({ 'kafka-config': path.join(dir, 'missing') }).problems[0],
    /^--kafka-config cannot be read: ENOENT/,
  );
});

test('secrets are masked for display, everything else shown', () => {
  assert.deepEqual(
    maskSecrets({
      'sasl.password': 'p',
      'ssl.key.password': 'k',
      'ssl.key.pem': 'KEY',
      'sasl.oauthbearer.client.secret': 's',
      'sasl.username': 'alice',
      'security.protocol': 'sasl_ssl',
    }),
    {
      'sasl.password': '***',
      'ssl.key.password': '***',
      'ssl.key.pem': '***',
      'sasl.oauthbearer.client.secret': '***',
      'sasl.username': 'alice',
      'security.protocol': 'sasl_ssl',
    },
  );
});
