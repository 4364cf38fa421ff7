#!/usr/bin/env bash
# The line length the whole tree keeps (Biome's formatter wraps code at it; strings and comments are wrapped by hand):
# 120 columns in TypeScript and C. Prints every longer line and fails if there is one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MAX=${MAX_LINE:-120}
files=$(git ls-files --cached --others --exclude-standard -- 'src/*.ts' 'test/*.ts' 'benchmarks/*.ts' 'native/src/*' 'benchmarks/tools/*.c')
# Characters, not bytes (a × or → is one column): GNU grep in a UTF-8 locale.
long=$(LC_ALL=C.UTF-8 grep -nHE "^.{$((MAX + 1)),}$" $files | cut -c1-160 || true)
if [[ -n $long ]]; then
  echo "$long" >&2
  echo "line-length.sh: error: $(wc -l <<<"$long") line(s) longer than $MAX columns" >&2
  exit 1
fi
