"""An independent reader of a DataStorm topic: confluent-kafka consumes it from the start to its end, fastavro decodes
every value by the schema file given (or, with --registry URL, confluent-kafka's AvroDeserializer decodes the
Confluent wire format with the schema it fetches by id). Writes one JSON line per record to stdout: key (text), value
(bytes as base64, decimals and uuids as text, dates and times as ISO text), and with --roundtrip whether fastavro
writes the decoded value back to the very bytes read. Undecodable values are a line with an "error".

  read_records.py BOOTSTRAP TOPIC SCHEMA_FILE [--roundtrip] [--registry URL] [--json] [--proto FILE --message NAME]

--json: the values are JSON text (storm --format json), parsed by Python's json module instead.
--proto: Protobuf messages, decoded by Google's protobuf from the file compiled by protoc (grpcio-tools); with
--registry, framed ones through confluent-kafka's ProtobufDeserializer (message indexes included).
"""

import base64
import datetime
import decimal
import io
import json
import faulthandler
import os
import sys
import time
import uuid

import fastavro
from confluent_kafka import Consumer, TopicPartition


def plain(value):
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def partitions_with_ends(consumer, topic):
    meta = consumer.list_topics(topic, timeout=10).topics[topic]
    ends = {}
    for p in meta.partitions:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
        if high > low:
            ends[p] = high
    return ends


def main():
    # Stuck anywhere (the read loop has its own deadline below; a call into a client may not return): every thread's
    # traceback, then exit, well within the test's 300 s.
    faulthandler.dump_traceback_later(170, exit=True)
    args = sys.argv[1:]
    roundtrip = '--roundtrip' in args
    registry = args[args.index('--registry') + 1] if '--registry' in args else None
    bootstrap, topic, schema_file = args[0], args[1], args[2]
    if '--proto' in args:
        decode = proto_decoder(args[args.index('--proto') + 1], args[args.index('--message') + 1], registry, topic)
    elif '--json' in args:
        decode = lambda raw: {'value': json.loads(raw)}  # noqa: E731
    else:
        decode = framed_decoder(registry, topic) if registry else plain_decoder(schema_file, roundtrip)
    # Partitions are assigned, not subscribed: the group (one of its own) is never joined or committed to.
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': f'py-reader-{os.getpid()}-{time.time_ns()}',
                         'enable.auto.commit': False, 'auto.offset.reset': 'earliest'})
    ends = partitions_with_ends(consumer, topic)
    consumer.assign([TopicPartition(topic, p, 0) for p in ends])
    left = dict(ends)
    out = sys.stdout
    deadline = time.monotonic() + 120  # bounded: a topic that never reaches its end is an error, not a hang
    read = 0
    while left:
        if time.monotonic() > deadline:
            raise SystemExit(f'read {read}; partitions {left} (partition: end offset) not read to their end in 120 s')
        # A short wait: consume() waits its whole timeout whenever fewer than the batch are there.
        for m in consumer.consume(10000, timeout=0.2):
            if m.error():
                raise SystemExit(str(m.error()))
            p = m.partition()
            read += 1
            if p not in left:
                continue
            line = {'key': m.key().decode() if m.key() is not None else None, 'partition': p}
            try:
                line.update(decode(m.value()))
            except Exception as e:  # an undecodable record is the finding, not a crash
                line['error'] = f'{type(e).__name__}: {e}'
            out.write(json.dumps(line, default=plain) + '\n')
            if m.offset() + 1 >= left[p]:
                del left[p]
    consumer.close()


def plain_decoder(schema_file, roundtrip):
    with open(schema_file) as f:
        schema = fastavro.parse_schema(json.load(f))

    def decode(raw):
        value = fastavro.schemaless_reader(io.BytesIO(raw), schema, None)
        line = {'value': value}
        if roundtrip:
            again = io.BytesIO()
            fastavro.schemaless_writer(again, schema, value)
            line['same'] = again.getvalue() == raw
        return line

    return decode


def framed_decoder(url, topic):
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroDeserializer
    from confluent_kafka.serialization import MessageField, SerializationContext

    # The client waits for ever by default; a request the registry leaves unanswered (seen once in a few hundred
    # runs, the connection open and silent) times out and is retried by the client instead.
    deserializer = AvroDeserializer(SchemaRegistryClient({'url': url, 'timeout': 10}))
    context = SerializationContext(topic, MessageField.VALUE)

    def decode(raw):
        return {'value': deserializer(raw, context), 'schemaId': int.from_bytes(raw[1:5], 'big')}

    return decode


def proto_decoder(proto_file, message, registry, topic):
    import tempfile

    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    from google.protobuf.json_format import MessageToDict
    from grpc_tools import protoc

    out = os.path.join(tempfile.mkdtemp(), 'set.pb')
    folder, name = os.path.split(os.path.abspath(proto_file))
    if protoc.main(['protoc', f'-I{folder}', f'--descriptor_set_out={out}', '--include_imports', name]) != 0:
        raise SystemExit(f'protoc refused {proto_file}')
    pool = descriptor_pool.DescriptorPool()
    for f in descriptor_pb2.FileDescriptorSet.FromString(open(out, 'rb').read()).file:
        pool.Add(f)
    cls = message_factory.GetMessageClass(pool.FindMessageTypeByName(message))

    def as_dict(m):
        return MessageToDict(m, preserving_proto_field_name=True)

    if not registry:
        return lambda raw: {'value': as_dict(cls.FromString(raw))}
    from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer
    from confluent_kafka.serialization import MessageField, SerializationContext

    # The frame (magic byte, id, message indexes) is read by the deserializer; the message class comes from the .proto
    # compiled here. Given a registry client it would fetch the schema in Confluent's serialized form (?format=
    # serialized: a base64 FileDescriptorProto), which Apicurio's compatibility API answers with the .proto text.
    deserializer = ProtobufDeserializer(cls, {'use.deprecated.format': False})
    context = SerializationContext(topic, MessageField.VALUE)
    return lambda raw: {'value': as_dict(deserializer(raw, context)), 'schemaId': int.from_bytes(raw[1:5], 'big')}


if __name__ == '__main__':
    main()
