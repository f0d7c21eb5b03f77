#!/usr/bin/env bash
# import.csv_rows_s.<native|wasm>.<n> and import.peak_mb.wasm.<n>: a list of n customers (GB18030,
# with a contact and a deal each) imported as a drop on the page does it (tests/perf/import_bench.cpp),
# natively and as WebAssembly (the same file built by em++, run by node). Arguments (10k 100k)
# limit the sizes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PREFIX=${FUNNEL_BUILD_PREFIX:-build/}
NATIVE=${PREFIX}native/tests/perf/funnel_import_bench
WASM=${PREFIX}cmake-web/tests/perf/funnel_import_bench.js
[[ -x $NATIVE ]] || { echo "import: $NATIVE missing (scripts/build native)" >&2; exit 1; }
[[ -f $WASM ]] || { echo "import: $WASM missing (scripts/build web)" >&2; exit 1; }
"$NATIVE" "$@"
# Emscripten 3.1.6 would fetch() its .wasm when node has fetch; by file path that fails.
node --no-experimental-fetch "$WASM" "$@"
