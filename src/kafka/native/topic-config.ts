/** A topic's settings that metadata does not carry, asked of the cluster (native/src/topic-config.c). */
import type { KafkaTarget } from '../admin.js';
import { addon, stringConfig } from './addon.js';

/**
 * The topic's min.insync.replicas, asked once off the event loop; 0 when the cluster does not say (the principal may
 * not DescribeConfigs on it, no answer within the time).
 */
export async function topicMinInsync(cluster: KafkaTarget, topic: string, timeoutMs = 5000): Promise<number> {
  const settings = {
    ...cluster.client,
    'metadata.broker.list': cluster.bootstrap,
    'socket.connection.setup.timeout.ms': 5000,
    'log.connection.close': false,
  };
  try {
    const [min] = await addon().topicMinInsync(stringConfig(settings), topic, timeoutMs);
    return min;
  } catch {
    return 0;
  }
}
