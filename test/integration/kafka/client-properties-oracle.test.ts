/**
 * client.properties read as the Java client reads it, with the Java client as the oracle: generated files (every
 * separator, escape, continuation, comment and line ending java.util.Properties knows, bytes above ASCII, values with
 * whitespace around them, sasl.jaas.config in every quoting style Kafka's JAAS parser takes, with comments, options in
 * any order, and the mistakes it refuses) go to test/oracles/ClientConfigOracle.java, run against Kafka's jars, and to
 * DataStorm. Both must read the same keys and raw values, the same trimmed value or list for each setting the Java
 * producer defines, the same login module, flag and options; what Java refuses DataStorm refuses. Then DataStorm's
 * translation for librdkafka must carry what Java read: the bootstrap list, the SASL user and password.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { translateJava } from '../../../src/kafka/client-config.js';
import { parseClientJaas } from '../../../src/kafka/jaas-config.js';
import { javaList, javaTrim, readJavaPropertiesFile } from '../../../src/kafka/java-properties.js';
import { fuzzSettings, reportFuzz } from '../../helpers/fuzz.js';
import { ROOT } from '../../helpers/services.js';

interface JavaReading {
  file: string;
  error?: string;
  raw?: Record<string, string>;
  typed?: Record<string, string | string[] | { error: string }>;
  jaas?: { module: string; flag: string; options: Record<string, string> } | { error: string } | null;
}

// --- generators: a JAAS value, then a properties file around it ---

/** Bare words as users write them: a letter first, or a digit, '.' or '-' first (a number to Kafka's tokenizer). */
const word = fc.stringMatching(/^[A-Za-z0-9_.$-]{1,12}$/);
const quotedParts = fc.array(
  fc.oneof(
    fc.constantFrom('a', 'Z', '9', ' ', '=', ';', '/', '*', '#', 'é', '€', "'", '"'),
    fc.constantFrom('\\"', "\\'", '\\\\', '\\n', '\\t', '\\101', '\\7', '\\08', '\\377', '\\x'),
  ),
  { maxLength: 10 },
);
/** A quoted JAAS string: its own quote escaped inside, the other quote bare. */
const quoted = fc
  .tuple(fc.constantFrom('"', "'"), quotedParts)
  .map(([q, parts]) => q + parts.map((p) => (p === q ? `\\${q}` : p)).join('') + q);
const gap = fc.constantFrom(' ', '  ', '\t', '\n', ' /* a comment */ ', ' // to the line end\n', '\r\n ');
const flag = fc.constantFrom('required', 'REQUIRED', 'Requisite', 'sufficient', 'optional', 'OPTIONAL');
const module = fc.constantFrom(
  'org.apache.kafka.common.security.plain.PlainLoginModule',
  'org.apache.kafka.common.security.scram.ScramLoginModule',
  'com.example.auth.OtherLoginModule',
);
const option = fc.tuple(fc.constantFrom('username', 'password', 'serviceName', 'x'), fc.oneof(word, quoted), gap);
const goodJaas = fc
  .tuple(module, gap, flag, fc.array(option, { maxLength: 4 }), gap, fc.constantFrom('', ' ', '\n'))
  .map(([m, g, f, opts, g2, tail]) => `${m}${g}${f}${opts.map(([k, v, s]) => ` ${k}=${v}${s}`).join('')}${g2};${tail}`);
/** What Kafka refuses: no semicolon, no value, a bad flag, two modules, nothing. */
const badJaas = fc.oneof(
  goodJaas.map((j) => j.replace(/;\s*$/, '')),
  goodJaas.map((j) => j.replace(/=/, '= ;')),
  goodJaas.map((j) => j.replace(/(Module\s+)\w+/, '$1mandatory')),
  fc.tuple(goodJaas, goodJaas).map(([a, b]) => `${a} ${b}`),
  fc.constant('   '),
);
const jaas = fc.oneof({ weight: 4, arbitrary: goodJaas }, { weight: 1, arbitrary: badJaas });

/** A value as a properties file must spell it: backslashes doubled, line breaks and characters above U+00FF escaped. */
const propertiesEscape = (s: string) =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/[\u0100-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const spaces = fc.constantFrom('', ' ', '  ', '\t', ' \t ', '\f');
const separator = fc.constantFrom('=', ':', ' ', '\t', ' = ', ' : ', '\t=\t', '  ', '=  ', ':=');
const valueText = fc
  .array(
    fc.oneof(
      fc.constantFrom('a', 'b', ':', '=', '#', '!', ',', ' ', 'x:9092', 'é', 'Ã©', '\u00ff'),
      fc.constantFrom('\\t', '\\u0041', '\\u00e9', '\\\\', '\\=', '\\ ', '\\#', '\\q', '\\\n   ', '\\\r\n\t'),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));
const listValue = fc
  .array(fc.tuple(spaces, fc.constantFrom('a:1', 'broker-2:9093', '10.0.0.3:29092', ''), spaces), { maxLength: 4 })
  .map((items) => items.map(([a, v, b]) => `${a}${v}${b}`).join(','));
const key = fc.constantFrom(
  'bootstrap.servers',
  'client.id',
  'security.protocol',
  'sasl.mechanism',
  'ssl.truststore.location',
  'ssl.endpoint.identification.algorithm',
  'x.custom',
  'key\\ with\\ spaces',
  'k\\=v',
  'k\\:c',
  '\\#not.a.comment',
  'uni\\u00e9',
);
const entry = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(key, separator, valueText, spaces).map(([k, s, v, t]) => `${k}${s}${v}${t}`) },
  fc.tuple(spaces, separator, listValue).map(([a, s, v]) => `${a}bootstrap.servers${s}${v}`),
  fc.tuple(separator, jaas, spaces).map(([s, j, t]) => `sasl.jaas.config${s}${propertiesEscape(j)}${t}`),
  fc.tuple(spaces, fc.constantFrom('#', '!'), valueText).map(([a, c, v]) => `${a}${c} ${v}`),
  fc.constantFrom('', '   ', '\t', '# a comment that ends with a backslash \\'),
  { weight: 1, arbitrary: fc.constant('client.id=bad\\u12G4escape') },
);
const file = fc
  .tuple(fc.array(entry, { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean())
  .map(([lines, eol, lastEol]) => lines.join(eol) + (lastEol ? eol : ''));

// --- DataStorm's reading, in the oracle's shape ---

function dataStormReading(file: string, java: JavaReading) {
  let raw: Map<string, string>;
  try {
    raw = readJavaPropertiesFile(file);
  } catch {
    return { refused: true };
  }
  const typed = Object.fromEntries(
    Object.entries(java.typed ?? {})
      .filter(([, v]) => typeof v === 'string' || Array.isArray(v))
      .map(([k, v]) => [k, Array.isArray(v) ? javaList(raw.get(k) ?? '') : javaTrim(raw.get(k) ?? '')]),
  );
  const jaasValue = raw.get('sasl.jaas.config');
  let jaasReading: unknown = null;
  if (jaasValue !== undefined) {
    try {
      const e = parseClientJaas(javaTrim(jaasValue));
      jaasReading = { module: e.module, flag: e.flag, options: Object.fromEntries(e.options) };
    } catch {
      jaasReading = 'refused';
    }
  }
  return { refused: false, raw: Object.fromEntries(raw), typed, jaas: jaasReading };
}

const javaJaas = (j: JavaReading['jaas']) => (j && 'error' in j ? 'refused' : (j ?? null));
const javaTyped = (t: JavaReading['typed']) =>
  Object.fromEntries(Object.entries(t ?? {}).filter(([, v]) => typeof v === 'string' || Array.isArray(v)));

function javaReadings(files: string[]): JavaReading[] {
  const libs = execFileSync('bash', [path.join(ROOT, 'kafka-cluster/cluster.sh'), 'libs'], { encoding: 'utf8' }).trim();
  const out = execFileSync(
    'java',
    ['-Xmx128m', '-cp', `${libs}/*`, path.join(ROOT, 'test/oracles/ClientConfigOracle.java'), ...files],
    { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 120_000 },
  );
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JavaReading);
}

test('DataStorm reads generated client.properties files as the Java client does', () => {
  const { seed, runs } = fuzzSettings(300);
  const texts = fc.sample(file, { seed, numRuns: runs });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-props-'));
  const files = texts.map((text, i) => {
    const f = path.join(dir, `${i}.properties`);
    fs.writeFileSync(f, Buffer.from(text, 'latin1'));
    return f;
  });
  const seen = { refusedFiles: 0, jaas: 0, jaasRefused: 0, bootstrap: 0 };
  try {
    const java = javaReadings(files);
    assert.equal(java.length, files.length);
    for (const [i, reading] of java.entries()) {
      const ours = dataStormReading(files[i], reading);
      const context = `file ${JSON.stringify(texts[i])}`;
      assert.equal(ours.refused, reading.error !== undefined, `${context}: Java ${reading.error ?? 'accepts it'}`);
      if (reading.error !== undefined) {
        seen.refusedFiles++;
        continue;
      }
      assert.deepEqual(ours.raw, reading.raw, context);
      assert.deepEqual(ours.typed, javaTyped(reading.typed), context);
      assert.deepEqual(ours.jaas, javaJaas(reading.jaas), context);
      if (reading.jaas) seen[javaJaas(reading.jaas) === 'refused' ? 'jaasRefused' : 'jaas']++;
      assertTranslation(reading, context);
      if (reading.raw?.['bootstrap.servers'] !== undefined) seen.bootstrap++;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // The generators reach every class: refused files, JAAS read and refused, bootstrap lists.
  for (const [what, n] of Object.entries(seen)) assert.ok(n > 0, `no generated file had ${what}`);
  reportFuzz('client.properties against the Java client', files.length, JSON.stringify(seen));
});

/** What librdkafka is given carries what the Java client read. */
function assertTranslation(reading: JavaReading, context: string): void {
  const raw = new Map(Object.entries(reading.raw ?? {}));
  const problems: string[] = [];
  const { settings, bootstrap } = translateJava(raw, (p) => problems.push(p));
  const list = reading.typed?.['bootstrap.servers'];
  if (Array.isArray(list)) assert.equal(bootstrap, list.filter(Boolean).join(','), context);
  const jaas = javaJaas(reading.jaas);
  if (jaas === 'refused')
    assert.ok(
      problems.some((p) => p.startsWith('sasl.jaas.config: ')),
      context,
    );
  else if (jaas && /PlainLoginModule|ScramLoginModule/.test(jaas.module)) {
    const { username, password } = jaas.options;
    if (username !== undefined && password !== undefined)
      assert.deepEqual([settings['sasl.username'], settings['sasl.password']], [username, password], context);
    else
      assert.ok(
        problems.some((p) => p.includes('needs the options username and password')),
        context,
      );
  }
}
