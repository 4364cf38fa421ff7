#!/usr/bin/env bash
# Independent readers for the tests that hold DataStorm's records to other implementations: Python's fastavro (Avro
# binary), confluent-kafka with its Schema Registry client, AvroDeserializer and ProtobufDeserializer (the Confluent
# wire format), Google's protobuf with grpcio-tools' protoc (a .proto compiled to descriptors), pinned, in a virtualenv under $DATASTORM_CACHE (default ~/.cache/datastorm). Idempotent; prints the venv's python last.
set -euo pipefail
CACHE=${DATASTORM_CACHE:-$HOME/.cache/datastorm}
VENV=$CACHE/py-readers
PINS=(fastavro==1.13.1 'confluent-kafka[avro,schemaregistry,protobuf]==2.16.1' grpcio-tools==1.85.1)
STAMP="$VENV/.pins-$(printf '%s' "${PINS[*]}" | sha256sum | cut -c1-12)"

if [[ ! -e $STAMP ]]; then
  python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' 2>/dev/null || {
    echo "python-readers.sh: installing python3-venv" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  }
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}" >&2
  touch "$STAMP"
fi
echo "$VENV/bin/python"
