# What the model and the store cost in memory (tests/perf/heap_bench.cpp), natively and as
# WebAssembly (the same file built by em++, run by node on real files): memory.model_mb.*,
# memory.bytes_per_<deal|customer|contact|activity|change>.*, memory.load_peak_mb.*,
# memory.compact_peak_mb.* and memory.heap_mb.wasm.<n> (the heap of a fresh process after
# loading the n-deal store: what memory.wasm_heap_mb.<n> measures in Chromium, without the app).
# Prints "name value unit" lines for scripts/bench. Arguments (1k 10k 100k) limit the sizes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PREFIX=${FUNNEL_BUILD_PREFIX:-build/}
NATIVE=${PREFIX}native/tests/perf/funnel_heap_bench
WASM=${PREFIX}cmake-web/tests/perf/funnel_heap_bench.js
[[ -x $NATIVE ]] || { echo "heap: $NATIVE missing (scripts/build native)" >&2; exit 1; }
[[ -f $WASM ]] || { echo "heap: $WASM missing (scripts/build web)" >&2; exit 1; }
sizes=("$@")
((${#sizes[@]})) || sizes=(1k 10k 100k)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$NATIVE" "$dir/native" "${sizes[@]}"
# Emscripten 3.1.6 would fetch() its .wasm when node has fetch; by file path that fails.
node --no-experimental-fetch "$WASM" "$dir/wasm" "${sizes[@]}"
for n in "${sizes[@]}"; do node --no-experimental-fetch "$WASM" --load "$dir/wasm" "$n"; done
