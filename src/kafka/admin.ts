/**
 * Topic creation, metadata and end offsets around node-rdkafka, each bounded in time so a dead cluster is reported,
 * not waited on.
 */
import Kafka from 'node-rdkafka';
import { DataStormError } from '../errors.js';

/** How long a first connection may take before the cluster is called unreachable. */
export const CONNECT_TIMEOUT_MS = 6000;

/** The librdkafka every client of this process links (node-rdkafka's build; the addon links the same). */
export const librdkafkaVersion = (): string => Kafka.librdkafkaVersion;

export interface TopicInfo {
  name: string;
  partitions: number;
  replication: number;
}

/** Where a cluster is and how to talk to it: its bootstrap list and the user's client settings (TLS, SASL, …). */
export interface KafkaTarget {
  bootstrap: string;
  client?: Record<string, string>;
}
const targetOf = (cluster: string | KafkaTarget): KafkaTarget =>
  typeof cluster === 'string' ? { bootstrap: cluster } : cluster;

const base = ({ bootstrap, client }: KafkaTarget) => ({
  ...client,
  'metadata.broker.list': bootstrap,
  'socket.connection.setup.timeout.ms': 5000,
  // A closed connection's line tells a TLS listener spoken to in plaintext apart (see securityReason).
  'log.connection.close': true,
});

/**
 * Why a first connection failed, in words a user can act on: the client's last error (librdkafka's own line) tells
 * a refused SASL login, an untrusted certificate and a plaintext/TLS mismatch apart from a cluster that is not there.
 */
/**
 * Why no broker answered. Each broker of the list may fail its own way (one closes a TLS hello at once, another answers
 * it with a plaintext error): every line the client logged is read for a known cause, the last is shown.
 */
function unreachable(bootstrap: string, timeoutMs: number, e: unknown, clientErrors: string[] = []): DataStormError {
  const why = clientErrors.at(-1) ?? (e instanceof Error ? e.message : String(e));
  const reason = securityReason(bootstrap, [...clientErrors, why].join('\n'));
  return new DataStormError(
    'KAFKA_UNREACHABLE',
    reason ?? `cannot reach Kafka at ${bootstrap} within ${timeoutMs / 1000} s (${why}); check --bootstrap`,
  );
}

const PLAINTEXT_LISTENER = new RegExp(
  'connecting to a PLAINTEXT broker listener|wrong version number|packet length too long|' +
    'closed by peer.*in state SSL_HANDSHAKE',
  'i',
);

function securityReason(bootstrap: string, why: string): string | undefined {
  if (/SASL authentication|Authentication failed|SaslAuthenticate/i.test(why))
    return (
      `Kafka at ${bootstrap} refused the SASL authentication: check sasl.username and sasl.password ` +
      '(or sasl.jaas.config) and sasl.mechanism in --kafka-config / -X'
    );
  if (/certificate verify failed|could not be verified/i.test(why))
    return (
      `TLS verification of the broker at ${bootstrap} failed: its certificate is not signed by a CA the client ` +
      'trusts; give the CA as ssl.ca.location (or a PEM ssl.truststore.location) in --kafka-config / -X'
    );
  // librdkafka names this case in some versions; in others the broker just closes the connection at the first request.
  if (/connecting to a SSL listener|closed by peer.*in state APIVERSION_QUERY/i.test(why))
    return (
      `Kafka at ${bootstrap} closed the connection as the client spoke plaintext (a TLS listener?): set ` +
      'security.protocol=ssl or sasl_ssl in --kafka-config / -X'
    );
  // A plaintext listener reads a TLS hello as a request of absurd size and closes the connection mid-handshake.
  if (PLAINTEXT_LISTENER.test(why))
    return (
      `Kafka at ${bootstrap} speaks plaintext and the client spoke TLS: set security.protocol=plaintext or ` +
      'sasl_plaintext, or point --bootstrap at the TLS listener'
    );
  return undefined;
}

/** The client's error lines while it connects, the latest last (a few dozen: retries repeat themselves). */
function noteError(errors: string[], message: string): void {
  if (errors.length >= 50) errors.shift();
  errors.push(message);
}

/** A metadata-only producer, connected, for a caller that holds it (topic-watch.ts); rejects like withClient. */
export async function connectMetadataClient(cluster: string | KafkaTarget, timeoutMs: number): Promise<Kafka.Producer> {
  const target = targetOf(cluster);
  // Asking for one topic by name must never create it on a broker that auto-creates topics.
  const p = new Kafka.Producer({ ...base(target), 'allow.auto.create.topics': false });
  const clientErrors: string[] = [];
  p.on('event.error', (e: { message: string }) => noteError(clientErrors, e.message));
  await new Promise<void>((resolve, reject) =>
    p.connect({ timeout: timeoutMs }, (err) =>
      err ? reject(unreachable(target.bootstrap, timeoutMs, err, clientErrors)) : resolve(),
    ),
  );
  return p;
}

/** Connects a metadata-only producer; rejects within timeoutMs when no broker answers. */
async function withClient<T>(
  cluster: string | KafkaTarget,
  timeoutMs: number,
  fn: (p: Kafka.Producer) => Promise<T>,
): Promise<T> {
  const target = targetOf(cluster);
  const bootstrap = target.bootstrap;
  const p = new Kafka.Producer(base(target));
  // Connection failures surface as the connect timeout below; the last one says why.
  const clientErrors: string[] = [];
  p.on('event.error', (e: { message: string }) => noteError(clientErrors, e.message));
  // librdkafka's own log lines carry the reason (a failed login, an untrusted certificate) the error event lacks.
  p.on('event.log', (line: { severity: number; message: string }) => {
    if (line.severity <= 4 || /Disconnected|handshake|SASL/i.test(line.message)) noteError(clientErrors, line.message);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      p.connect({ timeout: timeoutMs }, (err) =>
        err ? reject(unreachable(bootstrap, timeoutMs, err, clientErrors)) : resolve(),
      );
    });
    return await fn(p);
  } finally {
    await new Promise<void>((r) => (p.isConnected() ? p.disconnect(2000, () => r()) : r()));
  }
}

export function metadata(p: Kafka.Producer, topic?: string, timeout = 10_000): Promise<Kafka.Metadata> {
  return new Promise((resolve, reject) =>
    p.getMetadata({ topic, timeout }, (err, md) => (err ? reject(err) : resolve(md))),
  );
}

/** Brokers the cluster reports, or a KAFKA_UNREACHABLE error within CONNECT_TIMEOUT_MS. */
export async function listBrokers(cluster: string | KafkaTarget): Promise<Kafka.BrokerMetadata[]> {
  return withClient(cluster, CONNECT_TIMEOUT_MS, async (p) => (await metadata(p)).brokers);
}

export async function describeTopic(cluster: string | KafkaTarget, topic: string): Promise<TopicInfo | undefined> {
  return withClient(cluster, CONNECT_TIMEOUT_MS, (p) => describeWith(p, topic));
}

async function describeWith(p: Kafka.Producer, topic: string): Promise<TopicInfo | undefined> {
  const md = await metadata(p);
  const t = md.topics.find((x) => x.name === topic);
  if (!t || t.partitions.length === 0) return undefined;
  return { name: topic, partitions: t.partitions.length, replication: t.partitions[0]?.replicas.length ?? 0 };
}

export interface EnsureTopicOptions {
  topic: string;
  partitions: number;
  replication: number;
  config?: Record<string, string>;
}

const AUTHORIZATION_FAILED = new Set<number>([
  Kafka.CODES.ERRORS.ERR_TOPIC_AUTHORIZATION_FAILED,
  Kafka.CODES.ERRORS.ERR_CLUSTER_AUTHORIZATION_FAILED,
]);

/**
 * Why a topic could not be made. Refused by an ACL, the topic is either absent or there but hidden from this
 * principal (a topic it may not Describe looks absent): the line says what each case needs.
 */
function createRefusal(o: EnsureTopicOptions, err: Kafka.LibrdKafkaError): DataStormError {
  if (AUTHORIZATION_FAILED.has(err.code))
    return new DataStormError(
      'TOPIC',
      `the client may not see topic '${o.topic}' nor create it (${err.message}): if the topic exists, an ACL must ` +
        'allow its principal Describe and Write on it; if not, create it first (kafka-topics --create) or allow ' +
        'Create on the cluster',
      [],
      { cause: err },
    );
  return new DataStormError(
    'TOPIC',
    `cannot create topic '${o.topic}' (${o.partitions} partitions, replication ${o.replication}): ${err.message}`,
    [],
    { cause: err },
  );
}

/** Creates the topic when it does not exist; returns what the cluster has (which may differ if it existed). */
export async function ensureTopic(
  cluster: string | KafkaTarget,
  o: EnsureTopicOptions,
): Promise<TopicInfo & { created: boolean }> {
  const existing = await describeTopic(cluster, o.topic);
  if (existing) return { ...existing, created: false };
  const admin = Kafka.AdminClient.create(base(targetOf(cluster)));
  try {
    await new Promise<void>((resolve, reject) =>
      admin.createTopic(
        { topic: o.topic, num_partitions: o.partitions, replication_factor: o.replication, config: o.config ?? {} },
        15_000,
        (err) => {
          if (!err || err.code === Kafka.CODES.ERRORS.ERR_TOPIC_ALREADY_EXISTS) resolve();
          else reject(createRefusal(o, err));
        },
      ),
    );
  } finally {
    admin.disconnect();
  }
  // Metadata propagates to every broker shortly after creation; wait until it shows the partitions.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const t = await describeTopic(cluster, o.topic);
    if (t && t.partitions === o.partitions) return { ...t, created: true };
    if (Date.now() > deadline)
      throw new DataStormError('TOPIC', `topic '${o.topic}' was created but its metadata did not show up within 15 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function deleteTopic(cluster: string | KafkaTarget, topic: string): Promise<void> {
  const admin = Kafka.AdminClient.create(base(targetOf(cluster)));
  try {
    await new Promise<void>((resolve, reject) =>
      admin.deleteTopic(topic, 15_000, (err) =>
        !err || err.code === Kafka.CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART ? resolve() : reject(err),
      ),
    );
  } finally {
    admin.disconnect();
  }
}

/** Sum over partitions of (high watermark - low watermark): what the topic holds, counted by the brokers. */
export async function topicMessageCount(
  cluster: string | KafkaTarget,
  topic: string,
): Promise<{ total: number; perPartition: number[] }> {
  return withClient(cluster, CONNECT_TIMEOUT_MS, async (p) => {
    const t = await describeWith(p, topic);
    if (!t) throw new DataStormError('TOPIC', `topic '${topic}' does not exist`);
    const perPartition: number[] = [];
    for (let i = 0; i < t.partitions; i++) {
      const w = await new Promise<Kafka.WatermarkOffsets>((resolve, reject) =>
        p.queryWatermarkOffsets(topic, i, 10_000, (err, off) => (err ? reject(err) : resolve(off))),
      );
      perPartition.push(w.highOffset - w.lowOffset);
    }
    return { total: perPartition.reduce((a, b) => a + b, 0), perPartition };
  });
}
