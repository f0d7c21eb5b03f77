# The durable store on disk (native, app/platform/store.cpp) for 1k / 10k / 100k deals:
# store.{load,edit,append,compact}_ms.native.<n>, from tests/store/store_bench.cpp (the browser's
# figures, store.*.wasm.<n>, come from tests/bench/store.mjs: `scripts/bench store` runs both).
# Prints "name value unit" lines for scripts/bench.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BIN=${FUNNEL_BUILD_PREFIX:-build/}native/tests/store/funnel_store_bench
[[ -x $BIN ]] || { echo "store: $BIN missing (scripts/build native)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$BIN" "$dir"
