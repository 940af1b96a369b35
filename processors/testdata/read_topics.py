#!/usr/bin/python3
"""Read Avro topics of stripe-infor the way a data team's Python would.

Uses Debian's python3-confluent-kafka (1.7): a plain Consumer (read_committed)
and the legacy MessageSerializer over CachedSchemaRegistryClient, which looks
each record's writer schema up by the id in its Confluent wire-format header.
Keys are plain UTF-8 strings here, so only values go through Avro (the legacy
AvroConsumer would try to Avro-decode keys too).

Prints one JSON object per record on stdout: topic, partition, offset, key,
headers and the decoded value. timestamp-millis values (datetime) are printed
as integer milliseconds since the epoch, so the Go test compares numbers.

usage: read_topics.py BOOTSTRAP REGISTRY_URL COUNT TOPIC...
Reads until COUNT records have been printed, or fails after 60 s.
"""

import datetime
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError
from confluent_kafka.avro.cached_schema_registry_client import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def plain(v):
    """JSON encoder fallback for what the Avro reader returns."""
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return (v - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    raise TypeError("cannot print %r" % type(v))


def main(argv):
    if len(argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    bootstrap, registry, count, topics = argv[1], argv[2], int(argv[3]), argv[4:]
    serializer = MessageSerializer(CachedSchemaRegistryClient(registry))
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "python-reader-" + uuid.uuid4().hex,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
    })
    consumer.subscribe(topics)
    printed = 0
    deadline = time.monotonic() + 60
    try:
        while printed < count:
            if time.monotonic() > deadline:
                sys.stderr.write("read %d of %d records in 60s\n" % (printed, count))
                return 1
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                sys.stderr.write("consume error: %s\n" % msg.error())
                return 1
            value = serializer.decode_message(msg.value(), is_key=False)
            key = msg.key().decode("utf-8") if msg.key() is not None else None
            headers = {k: (v.decode("utf-8") if v is not None else None) for k, v in (msg.headers() or [])}
            print(json.dumps({
                "topic": msg.topic(),
                "partition": msg.partition(),
                "offset": msg.offset(),
                "key": key,
                "headers": headers,
                "value": value,
            }, default=plain, sort_keys=True), flush=True)
            printed += 1
    finally:
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
