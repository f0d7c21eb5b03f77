#!/usr/bin/env bash
# board.frame_p50_ms / p95 natively (tests/perf/board_bench.cpp) for 1k, 10k and 100k deals.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec "${FUNNEL_BUILD_PREFIX:-build/}native/tests/perf/funnel_board_bench" "$@"
