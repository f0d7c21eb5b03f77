#!/usr/bin/env bash
# Team sync merge time (native, -O2, process CPU ms): sync.merge_ms.funnel.<n> for 1k / 10k / 100k-deal demo
# documents that diverged on two replicas. Compiles tests/bench/_sync_merge.cpp with app/core
# into <prefix>bench-sync/ when the sources are newer than the binary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PREFIX=${FUNNEL_BUILD_PREFIX:-build/}
OUT=${PREFIX}bench-sync
BIN=$OUT/sync_merge
mkdir -p "$OUT"
sources=(tests/bench/_sync_merge.cpp app/core/*.cpp)
stale=0
[[ -x $BIN ]] || stale=1
for s in "${sources[@]}" app/core/*.h; do [[ $s -nt $BIN ]] && stale=1; done
if ((stale)); then
  echo "sync bench: compiling (one core)…" >&2
  g++ -std=c++20 -O2 -DNDEBUG -Iapp "${sources[@]}" -o "$BIN.tmp" >&2
  mv "$BIN.tmp" "$BIN"
fi
"$BIN" "$@"
