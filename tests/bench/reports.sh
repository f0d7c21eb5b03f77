#!/usr/bin/env bash
# reports.compute_ms.<native|wasm>.<n>: one Reports screen's figures (core/report.h computeReport,
# the team this year) on the 1k / 10k / 100k-deal demo, natively and as WebAssembly (the same
# tests/perf/report_bench.cpp built by em++, run by node). Arguments (1k 10k 100k) limit the sizes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PREFIX=${FUNNEL_BUILD_PREFIX:-build/}
NATIVE=${PREFIX}native/tests/perf/funnel_report_bench
WASM=${PREFIX}cmake-web/tests/perf/funnel_report_bench.js
[[ -x $NATIVE ]] || { echo "reports: $NATIVE missing (scripts/build native)" >&2; exit 1; }
[[ -f $WASM ]] || { echo "reports: $WASM missing (scripts/build web)" >&2; exit 1; }
"$NATIVE" "$@"
# Emscripten 3.1.6 would fetch() its .wasm when node has fetch; by file path that fails.
node --no-experimental-fetch "$WASM" "$@"
