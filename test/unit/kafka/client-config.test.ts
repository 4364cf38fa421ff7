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
    'sasl.password': 's3cr"et', // as Kafka's JAAS parser reads the escaped quote
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

test('an error about a setting from the file names the file and its key, never a flag the user did not type', () => {
  const bad = file('bootstrap.servers = broker-1 , broker-2:9092\n');
  assert.deepEqual(target({ 'kafka-config': bad }).problems, [
    `--kafka-config ${bad}: bootstrap.servers must be host:port[,host:port…] (got 'broker-1,broker-2:9092')`,
  ]);
  const jaas = file(
    'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required password=123;\n',
  );
  assert.deepEqual(target({ 'kafka-config': jaas }).problems, [
    `--kafka-config ${jaas}: sasl.jaas.config: Value not specified for key 'password' in JAAS config`,
  ]);
  const badEscape = file('a=1\n\nclient.id=x\\u00g1\n');
  assert.deepEqual(target({ 'kafka-config': badEscape }).problems, [
    `--kafka-config ${badEscape}: line 3: malformed \\uxxxx escape (\\u00g1): Java refuses the file too`,
  ]);
});

test('values are trimmed and bootstrap.servers split as the Java client does; the file is read as ISO-8859-1', () => {
  const f = path.join(dir, 'latin1.properties');
  fs.writeFileSync(
    f,
    Buffer.from(
      'bootstrap.servers =  a:1 ,\tb:2,,  \nclient.id = caf\u00e9  \nsecurity.protocol=SASL_SSL \t\n',
      'latin1',
    ),
  );
  const r = target({ 'kafka-config': f, X: ['sasl.mechanism=PLAIN', 'sasl.username=u', 'sasl.password=p'] });
  assert.deepEqual(r.problems, []);
  assert.equal(r.bootstrap, 'a:1,b:2');
  assert.equal(r.client['client.id'], 'café');
  assert.equal(r.client['security.protocol'], 'sasl_ssl');
});

test('a JAAS value in any quoting style and order, with comments, gives the same login', () => {
  const values = [
    'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="pw";',
    "org.apache.kafka.common.security.plain.PlainLoginModule REQUIRED password='pw' username=alice ;",
    'org.apache.kafka.common.security.plain.PlainLoginModule /* why */ required\n' +
      '  password="p\\167" // octal w\n username = "alice";',
  ];
  for (const value of values) {
    const problems: string[] = [];
    const { settings } = translateJava(new Map([['sasl.jaas.config', value]]), (p) => problems.push(p));
    assert.deepEqual(problems, [], value);
    assert.deepEqual([settings['sasl.username'], settings['sasl.password']], ['alice', 'pw'], value);
  }
});
