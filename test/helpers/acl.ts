/**
 * The test cluster checks ACLs (cluster.sh: a sasl_ssl cluster runs Kafka's StandardAuthorizer): its SCRAM user
 * `limited` may do only what an ACL allows. Kafka's own tools set them, over the plaintext listener (whose principal,
 * ANONYMOUS, is a super user).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { bootstrap, kafkaConfig, ROOT, run } from './services.js';

const CLUSTER = path.join(ROOT, 'kafka-cluster/cluster.sh');

/** The client settings of the user `limited` (cluster.sh writes them beside client.properties). */
export const limitedConfig = () => path.join(path.dirname(kafkaConfig()), 'client-limited.properties');

/** Allows `limited` an operation (Describe, Write, …) on a topic. */
export async function allowLimited(operation: string, topic: string): Promise<void> {
  const r = await run('bash', [
    ...[CLUSTER, 'tool', 'org.apache.kafka.tools.AclCommand', '--bootstrap-server', bootstrap(), '--add'],
    ...['--allow-principal', 'User:limited', '--operation', operation, '--topic', topic],
  ]);
  assert.equal(r.code, 0, r.stderr);
}
