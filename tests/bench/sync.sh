#!/usr/bin/env bash
# Team sync figures (docs/SYNC.md §6). Two replicas of a 1k / 10k / 100k-deal demo document
# diverge (tests/bench/_sync_merge.cpp: 2 % of deals edited on each, 1 % added, 0.5 % removed),
# then merging them is timed, in the same run, by:
#   sync.merge_ms.funnel.<n>         Funnel's merge as the app runs it: app/core built with em++ in
#                                    the web CMake tree (target funnel_sync_merge_bench), run by node
#   sync.merge_ms.funnel_native.<n>  the same code natively (-O2, process CPU time)
#   sync.merge_ms.automerge.<n>      @automerge/automerge on the same data (tests/bench/_sync_crdt.mjs)
#   sync.merge_ms.yjs.<n>            yjs on the same data
#   sync.roundtrip_ms.10k            one full GET–merge–PUT of funnel-sync against funnel-serve
#                                    (tests/bench/_sync_roundtrip.mjs; needs the native build)
# Arguments: sizes (default 1000 10000 100000). FUNNEL_BENCH_SYNC_SKIP=wasm,crdt,native,roundtrip
# leaves parts out; FUNNEL_BENCH_CRDT_MAX_DEALS=100000 adds the 100k automerge/yjs figures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PREFIX=${FUNNEL_BUILD_PREFIX:-build/}
OUT=${PREFIX}bench-sync
BIN=$OUT/sync_merge
DATA=$OUT/data
WEB_TREE=${PREFIX}cmake-web
SKIP=,${FUNNEL_BENCH_SYNC_SKIP:-},
sizes=("$@")
((${#sizes[@]})) || sizes=(1000 10000 100000)
status=0
mkdir -p "$OUT" "$DATA"

# ---- native build of the benchmark (also writes the data for the others) ---------------------
sources=(tests/bench/_sync_merge.cpp app/core/*.cpp)
stale=0
[[ -x $BIN ]] || stale=1
for s in "${sources[@]}" app/core/*.h; do [[ $s -nt $BIN ]] && stale=1; done
if ((stale)); then
  echo "sync bench: compiling (one core)…" >&2
  g++ -std=c++20 -O2 -DNDEBUG -Iapp "${sources[@]}" -o "$BIN.tmp" >&2
  mv "$BIN.tmp" "$BIN"
fi
for n in "${sizes[@]}"; do
  if [[ ! -s $DATA/$n.b.json || $BIN -nt $DATA/$n.b.json ]]; then
    "$BIN" --export "$DATA" "$n" >&2
  fi
done

# ---- funnel: wasm, as in the app -------------------------------------------------------------
if [[ $SKIP != *,wasm,* ]]; then
  if [[ -f $WEB_TREE/CMakeCache.txt ]]; then
    # em++ runs node tools (acorn) that live in Debian's /usr/share/nodejs.
    NODE_PATH=/usr/share/nodejs cmake --build "$WEB_TREE" --target funnel_sync_merge_bench -j"${JOBS:-2}" >&2
    # The emcc output is CommonJS, and package.json says "type": "module": run it as .cjs, beside its .wasm.
    cp "$WEB_TREE/funnel_sync_merge_bench.wasm" "$OUT/"
    cp "$WEB_TREE/funnel_sync_merge_bench.js" "$OUT/funnel_sync_merge_bench.cjs"
    # Debian's node: its own modules under /usr/share/nodejs; old emcc output trips over node's fetch.
    NODE_PATH=/usr/share/nodejs node --no-experimental-fetch "$OUT/funnel_sync_merge_bench.cjs" "${sizes[@]}" \
      || { echo "sync bench: the wasm merge benchmark failed" >&2; status=1; }
  else
    echo "sync bench: no web build tree in $WEB_TREE (scripts/build web): no sync.merge_ms.funnel figures" >&2
    status=1
  fi
fi

# ---- funnel natively -------------------------------------------------------------------------
if [[ $SKIP != *,native,* ]]; then
  for n in "${sizes[@]}"; do "$BIN" --impl funnel_native "$n" || status=1; done
fi

# ---- automerge and yjs on the same data ------------------------------------------------------
if [[ $SKIP != *,crdt,* ]]; then
  # Building 100k-deal CRDT replicas takes many minutes of CPU (automerge: over ten): only up to
  # 10k unless FUNNEL_BENCH_CRDT_MAX_DEALS says otherwise.
  FUNNEL_BENCH_CRDT_MAX_DEALS=${FUNNEL_BENCH_CRDT_MAX_DEALS:-10000} \
    node --max-old-space-size=14000 tests/bench/_sync_crdt.mjs "$DATA" "${sizes[@]}" || status=1
fi

# ---- one sync round trip ---------------------------------------------------------------------
if [[ $SKIP != *,roundtrip,* && -f tests/bench/_sync_roundtrip.mjs ]]; then
  node tests/bench/_sync_roundtrip.mjs || status=1
fi
exit $status
