"""A topic's configs as the brokers hold them, asked by confluent-kafka's AdminClient (independent of DataStorm):
prints one JSON object of name -> value, and the topic's replication factor as "_replication".

  topic_configs.py BOOTSTRAP TOPIC
"""

import json
import sys

from confluent_kafka.admin import AdminClient, ConfigResource


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    entries = admin.describe_configs([resource])[resource].result(timeout=15)
    out = {name: entry.value for name, entry in entries.items()}
    metadata = admin.list_topics(topic=topic, timeout=15).topics[topic]
    out["_replication"] = len(next(iter(metadata.partitions.values())).replicas)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
