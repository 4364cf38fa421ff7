/**
 * The Schema Registry flags every command shares: --schema-registry URL (Confluent's REST API: Confluent's own
 * registry, or Apicurio's /apis/ccompat/v7), --registry-config FILE (its client settings, in the names Confluent's
 * serializers use: credentials and TLS, so no secret is on the command line) and, for the storm, --subject-strategy.
 */
import fs from 'node:fs';
import type { Options as FlagSpec } from 'yargs';
import { JavaPropertiesError, javaTrim, readJavaPropertiesFile } from '../kafka/java-properties.js';
import type { OptionChecks, RawFlags } from '../option-checks.js';

export const SUBJECT_STRATEGIES = ['topic', 'record', 'topic-record'] as const;
export type SubjectStrategy = (typeof SUBJECT_STRATEGIES)[number];

export interface RegistrySettings {
  url: string;
  /** user:password for HTTP basic authentication (basic.auth.user.info). */
  basicAuth?: string;
  /** A bearer token (bearer.auth.token). */
  bearerToken?: string;
  /** PEM files: the CA that signed the registry's certificate; a client certificate and key for mutual TLS. */
  ca?: string;
  cert?: string;
  key?: string;
  strategy: SubjectStrategy;
}

export const registryFlags = {
  'schema-registry': {
    type: 'string',
    describe: "a Confluent-compatible Schema Registry's URL: records framed with its schema id (wire format)",
  },
  'registry-config': {
    type: 'string',
    describe:
      'Schema Registry client properties: basic.auth.user.info, bearer.auth.token, ssl.ca.location, ' +
      'ssl.certificate.location, ssl.key.location',
  },
  'subject-strategy': {
    type: 'string',
    defaultDescription: 'topic',
    describe: 'subject the schema is registered under: topic (TOPIC-value), record (its full name), topic-record',
  },
} as const satisfies Record<string, FlagSpec>;

/** The registry properties read from --registry-config, by their Confluent names. */
const PROPERTIES: Record<string, keyof RegistrySettings> = {
  'basic.auth.user.info': 'basicAuth',
  'bearer.auth.token': 'bearerToken',
  'ssl.ca.location': 'ca',
  'ssl.certificate.location': 'cert',
  'ssl.key.location': 'key',
};
/** Names that say nothing to this client but are normal in a Confluent file: accepted, ignored. */
const IGNORED = new Set(['basic.auth.credentials.source', 'bearer.auth.credentials.source', 'schema.registry.url']);

/** The registry settings of a command, or undefined without --schema-registry; every problem into `c`. */
export function parseRegistryOptions(c: OptionChecks, raw: RawFlags): RegistrySettings | undefined {
  const given = raw['schema-registry'];
  const strategy = c.oneOf(
    'subject-strategy',
    raw['subject-strategy'],
    SUBJECT_STRATEGIES,
    'topic, record or topic-record',
  );
  if (given === undefined) {
    if (raw['registry-config'] !== undefined) c.add('--registry-config needs --schema-registry');
    if (raw['subject-strategy'] !== undefined) c.add('--subject-strategy needs --schema-registry');
    return undefined;
  }
  const url = urlOf(c, String(given));
  const settings: RegistrySettings = { url: url ?? '', strategy: strategy ?? 'topic' };
  if (raw['registry-config'] !== undefined) readConfig(c, String(raw['registry-config']), settings);
  if (settings.url.startsWith('http:') && (settings.cert || settings.ca))
    c.add('--registry-config: TLS settings need an https:// --schema-registry');
  return url === undefined ? undefined : settings;
}

function urlOf(c: OptionChecks, text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    c.add(`--schema-registry must be an http:// or https:// URL (got '${text}')`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    c.add(`--schema-registry must be an http:// or https:// URL (got ${url.protocol}//…)`);
    return undefined;
  }
  if (url.username || url.password) {
    c.add('--schema-registry must not carry credentials: put basic.auth.user.info in a --registry-config file');
    return undefined;
  }
  return url.href.replace(/\/+$/, '');
}

function readConfig(c: OptionChecks, file: string, settings: RegistrySettings): void {
  let properties: Map<string, string>;
  try {
    properties = readJavaPropertiesFile(file);
  } catch (e) {
    if (e instanceof JavaPropertiesError) c.add(`--registry-config ${file}: ${e.message}`);
    else
      c.add(`--registry-config ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    return;
  }
  for (const [key, raw] of properties) {
    const value = javaTrim(raw);
    const name = Object.hasOwn(PROPERTIES, key) ? PROPERTIES[key] : undefined;
    if (name) (settings as unknown as Record<string, string>)[name] = value;
    else if (!IGNORED.has(key))
      c.add(`--registry-config ${file}: unknown setting '${key}' (known: ${Object.keys(PROPERTIES).join(', ')})`);
  }
  for (const key of ['ca', 'cert', 'key'] as const) {
    const path = settings[key];
    if (path !== undefined && !fs.existsSync(path)) c.add(`--registry-config ${file}: ${key} file ${path} not found`);
  }
  if ((settings.cert === undefined) !== (settings.key === undefined))
    c.add(`--registry-config ${file}: ssl.certificate.location and ssl.key.location go together`);
}

/** The subject a record schema is registered under (Confluent's subject name strategies, for record values). */
export function subjectOf(strategy: SubjectStrategy, topic: string, recordName: string): string {
  if (strategy === 'record') return recordName;
  if (strategy === 'topic-record') return `${topic}-${recordName}`;
  return `${topic}-value`;
}
