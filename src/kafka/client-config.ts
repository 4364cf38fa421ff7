/**
 * The client settings a user already has, one way for every command: `--kafka-config FILE` (a Java client properties
 * file, as Kafka's own tools take it) and `-X key=value` (librdkafka names, kcat style, repeatable; wins over the
 * file). Java names librdkafka spells differently are translated where a translation exists; what cannot be (a JKS
 * store, an IAM login module) is refused with what to use instead; what DataStorm owns (acks, idempotence,
 * compression, batching, the group) is refused with the flag that sets it; anything librdkafka does not know is
 * refused before anything starts. Secrets travel in the settings but are never shown: maskSecrets() for display.
 */
import fs from 'node:fs';
import type { Options as FlagSpec } from 'yargs';
import { isBootstrapList } from '../bootstrap.js';
import type { OptionChecks, RawFlags } from '../option-checks.js';
import { setOwn } from '../own-property.js';
import { JaasConfigError, parseClientJaas } from './jaas-config.js';
import { JavaPropertiesError, javaList, javaTrim, readJavaPropertiesFile } from './java-properties.js';
import { addon } from './native/addon.js';

/** librdkafka settings by name, as strings. */
export type ClientSettings = Record<string, string>;

export const clientConfigFlags = {
  'kafka-config': {
    type: 'string',
    describe: 'Kafka client properties file (as for kafka-console-producer --producer.config): TLS, SASL, …',
  },
  X: {
    type: 'string',
    array: true,
    describe:
      'a librdkafka client setting, key=value (repeatable; wins over --kafka-config), e.g. -X security.protocol=ssl',
  },
} as const satisfies Record<string, FlagSpec>;

/** Settings DataStorm sets itself, and the flag that sets each. */
const OWNED: Record<string, string> = {
  acks: '--acks',
  'request.required.acks': '--acks',
  'enable.idempotence': '--idempotence',
  'compression.type': '--compression',
  'compression.codec': '--compression',
  'batch.size': '--batch-bytes',
  'linger.ms': '--linger-ms',
  'queue.buffering.max.ms': '--linger-ms',
  'batch.num.messages': '--batch-size',
  'group.id': '--group',
  'metadata.broker.list': '--bootstrap',
};

/** Settings whose values are secrets (passwords, keys, tokens): shown as ***. */
const SECRET = /password|secret|jaas|token|\.pem$|^ssl_key$|oauthbearer\.config/i;
export const isSecretSetting = (key: string) => SECRET.test(key);

/** The settings with every secret value replaced by ***, for reports, logs and pages. */
export function maskSecrets(settings: ClientSettings): ClientSettings {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, isSecretSetting(k) ? '***' : v]));
}

/** Far above any client properties file. */
const MAX_FILE_BYTES = 1 << 20;

export interface ParsedClientConfig {
  settings: ClientSettings;
  /** bootstrap.servers from the file, when it had one (the --bootstrap flag wins; both given must agree). */
  bootstrap?: string;
  /** The --kafka-config file the settings came from, for errors about them. */
  file?: string;
}

/** --kafka-config and -X → librdkafka settings; every problem goes to `checks`, one line each. */
export function parseClientConfig(checks: OptionChecks, raw: RawFlags): ParsedClientConfig {
  const settings: ClientSettings = {};
  let bootstrap: string | undefined;
  const file = raw['kafka-config'] === undefined ? undefined : String(raw['kafka-config']);
  if (file !== undefined) {
    const properties = readPropertiesFile(checks, file);
    if (properties) {
      const translated = translateJava(properties, (p) => checks.add(`--kafka-config ${file}: ${p}`));
      bootstrap = translated.bootstrap;
      Object.assign(settings, translated.settings);
    }
  }
  for (const item of xValues(raw.X)) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      checks.add(`-X must be key=value, a librdkafka setting (got '${isSecretSetting(item) ? '***' : item}')`);
      continue;
    }
    setOwn(settings, item.slice(0, eq).trim(), item.slice(eq + 1));
  }
  for (const p of ownedProblems(settings)) checks.add(p);
  return { settings, bootstrap, file };
}

/** A line for each setting DataStorm sets itself, naming the flag that sets it. */
export function ownedProblems(settings: ClientSettings): string[] {
  return Object.keys(settings)
    .filter((key) => Object.hasOwn(OWNED, key))
    .map((key) => `${key} is set by DataStorm: use ${OWNED[key]} instead of the client settings`);
}

const xValues = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function readPropertiesFile(checks: OptionChecks, file: string): Map<string, string> | undefined {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return void checks.add(`--kafka-config must be a properties file (got '${file}')`);
    if (stat.size > MAX_FILE_BYTES)
      return void checks.add(`--kafka-config is larger than a client properties file can be (got '${file}')`);
    return readJavaPropertiesFile(file);
  } catch (e) {
    if (e instanceof JavaPropertiesError) return void checks.add(`--kafka-config ${file}: ${e.message}`);
    return void checks.add(
      `--kafka-config cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (got '${file}')`,
    );
  }
}

/**
 * Java client names → librdkafka's; `problem` gets what cannot be translated. Values are trimmed as the Java client's
 * ConfigDef trims them, and bootstrap.servers is split and joined again as it splits a list.
 */
export function translateJava(properties: Map<string, string>, problem: (line: string) => void): ParsedClientConfig {
  const settings: ClientSettings = {};
  const java = new Map([...properties].map(([k, v]) => [k, javaTrim(v)]));
  const take = (key: string) => {
    const v = java.get(key);
    java.delete(key);
    return v;
  };
  if (java.has('')) {
    problem("a line with a value and no key (such as '=value'): librdkafka has no setting without a name");
    java.delete('');
  }
  const servers = take('bootstrap.servers');
  const bootstrap = servers === undefined ? undefined : javaList(servers).filter(Boolean).join(',');
  const protocol = take('security.protocol');
  if (protocol !== undefined) settings['security.protocol'] = protocol.toLowerCase();
  const mechanism = take('sasl.mechanism');
  if (mechanism !== undefined) settings['sasl.mechanism'] = mechanism;
  const jaas = take('sasl.jaas.config');
  if (jaas !== undefined) Object.assign(settings, jaasSettings(jaas, mechanism, problem));
  Object.assign(settings, storeSettings(take, problem));
  const algorithm = take('ssl.endpoint.identification.algorithm');
  if (algorithm !== undefined)
    settings['ssl.endpoint.identification.algorithm'] = algorithm === '' ? 'none' : algorithm;
  for (const key of JAVA_ONLY) java.delete(key);
  for (const [key, value] of java) setOwn(settings, key, value);
  return { settings, bootstrap };
}

/**
 * Java client settings with no meaning for librdkafka's clients: serializers, and the timeout of the Java consumer's
 * and admin's blocking calls (DataStorm makes none; its own waits have their own limits). Left out.
 */
const JAVA_ONLY = [
  'key.serializer',
  'value.serializer',
  'key.deserializer',
  'value.deserializer',
  'default.api.timeout.ms',
];

/** sasl.jaas.config's login module (read as Kafka reads it) → librdkafka's SASL settings. */
function jaasSettings(jaas: string, mechanism: string | undefined, problem: (line: string) => void): ClientSettings {
  let module: string;
  let options: Map<string, string>;
  try {
    ({ module, options } = parseClientJaas(jaas));
  } catch (e) {
    if (!(e instanceof JaasConfigError)) throw e;
    problem(`sasl.jaas.config: ${e.message}`);
    return {};
  }
  if (/PlainLoginModule$|ScramLoginModule$/.test(module)) {
    const username = options.get('username');
    const password = options.get('password');
    if (username === undefined || password === undefined) {
      problem(`sasl.jaas.config's ${module} needs the options username and password`);
      return {};
    }
    return { 'sasl.username': username, 'sasl.password': password };
  }
  if (/OAuthBearerLoginModule$/.test(module)) {
    const sub = options.get('unsecuredLoginStringClaim_sub');
    if (sub !== undefined)
      return { 'enable.sasl.oauthbearer.unsecure.jwt': 'true', 'sasl.oauthbearer.config': `principal=${sub}` };
    // An OIDC login: librdkafka takes its token endpoint and client from sasl.oauthbearer.* settings.
    return { 'sasl.oauthbearer.method': 'oidc' };
  }
  problem(
    `sasl.jaas.config's login module ${module} has no librdkafka equivalent` +
      `${mechanism ? ` for ${mechanism}` : ''}: give sasl.username/sasl.password (PLAIN, SCRAM) or ` +
      'sasl.oauthbearer.* settings (OAUTHBEARER) with -X',
  );
  return {};
}

/** Trust and key stores: PEM files and PKCS#12 keystores librdkafka reads; JKS it cannot. */
function storeSettings(take: (key: string) => string | undefined, problem: (line: string) => void): ClientSettings {
  const settings: ClientSettings = {};
  const trustType = (take('ssl.truststore.type') ?? 'JKS').toUpperCase();
  const trust = take('ssl.truststore.location');
  take('ssl.truststore.password'); // a PEM truststore has none; any other kind is refused below
  if (trust !== undefined) {
    if (trustType === 'PEM') settings['ssl.ca.location'] = trust;
    else
      problem(
        `ssl.truststore.location is a ${trustType} truststore, which librdkafka cannot read: export its CA as PEM ` +
          `(keytool -exportcert -rfc -keystore ${trust} -alias …) and give ssl.ca.location`,
      );
  }
  const inline: [string, string][] = [
    ['ssl.truststore.certificates', 'ssl.ca.pem'],
    ['ssl.keystore.certificate.chain', 'ssl.certificate.pem'],
    ['ssl.keystore.key', 'ssl.key.pem'],
  ];
  for (const [java, librdkafka] of inline) {
    const pem = take(java);
    if (pem !== undefined) settings[librdkafka] = pem;
  }
  const keyType = (take('ssl.keystore.type') ?? 'JKS').toUpperCase();
  const keystore = take('ssl.keystore.location');
  const keystorePassword = take('ssl.keystore.password');
  if (keystore !== undefined) {
    if (keyType === 'PEM') {
      settings['ssl.certificate.location'] = keystore;
      settings['ssl.key.location'] = keystore;
    } else if (keyType === 'PKCS12') {
      settings['ssl.keystore.location'] = keystore;
      if (keystorePassword !== undefined) settings['ssl.keystore.password'] = keystorePassword;
    } else
      problem(
        `ssl.keystore.location is a ${keyType} keystore, which librdkafka cannot read: convert it to PKCS12 ` +
          '(keytool -importkeystore -deststoretype PKCS12) or PEM, or give ssl.certificate.location and ' +
          'ssl.key.location',
      );
  }
  return settings;
}

/** Asks librdkafka itself whether it knows every setting and takes every value; its refusal, secrets masked. */
export function checkWithLibrdkafka(
  checks: OptionChecks,
  settings: ClientSettings,
  source = '--kafka-config/-X',
): void {
  if (Object.keys(settings).length === 0) return;
  try {
    addon().clientConfigCheck(settings);
  } catch (e) {
    let why = (e as Error).message;
    for (const [key, value] of Object.entries(settings))
      if (isSecretSetting(key) && value !== '') why = why.split(value).join('***');
    checks.add(`${source}: librdkafka refused a client setting: ${why}`);
  }
}

/** The bootstrap in force: --bootstrap, else the file's bootstrap.servers; both given must agree. */
export function bootstrapOf(checks: OptionChecks, flag: unknown, fromFile: string | undefined): unknown {
  if (flag === undefined || fromFile === undefined) return flag ?? fromFile;
  if (String(flag) !== fromFile)
    checks.add(`--bootstrap ${String(flag)} differs from bootstrap.servers ${fromFile} in --kafka-config: give one`);
  return flag;
}

/** bootstrap.servers from the file, checked under its own name: the user typed no --bootstrap. */
function fileBootstrap(checks: OptionChecks, servers: string, file: string): string | undefined {
  if (isBootstrapList(servers)) return servers;
  checks.add(`--kafka-config ${file}: bootstrap.servers must be host:port[,host:port…] (got '${servers}')`);
  return undefined;
}

/** --bootstrap, --kafka-config and -X of any command: the cluster and how to talk to it, every problem in `checks`. */
export function parseKafkaTarget(checks: OptionChecks, raw: RawFlags): { bootstrap?: string; client: ClientSettings } {
  const config = parseClientConfig(checks, raw);
  const bootstrap =
    raw.bootstrap === undefined && config.bootstrap !== undefined
      ? fileBootstrap(checks, config.bootstrap, String(config.file))
      : checks.bootstrap(bootstrapOf(checks, raw.bootstrap, config.bootstrap));
  checkWithLibrdkafka(checks, config.settings);
  return { bootstrap, client: config.settings };
}
