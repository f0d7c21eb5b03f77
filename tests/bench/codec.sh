# The JSON codec (app/core/codec.cpp) on the 1k / 10k / 100k-deal demo documents, natively and
# as WebAssembly (the same tests/perf/codec_bench.cpp built by em++, run by node):
#   codec.encode_mb_s.<native|wasm>.<n>, codec.decode_mb_s.<native|wasm>.<n>, codec.text_mb.…
# Prints "name value unit" lines for scripts/bench. Arguments (1k 10k 100k) limit the sizes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PREFIX=${FUNNEL_BUILD_PREFIX:-build/}
NATIVE=${PREFIX}native/tests/perf/funnel_codec_bench
WASM=${PREFIX}cmake-web/tests/perf/funnel_codec_bench.js
[[ -x $NATIVE ]] || { echo "codec: $NATIVE missing (scripts/build native)" >&2; exit 1; }
[[ -f $WASM ]] || { echo "codec: $WASM missing (scripts/build web)" >&2; exit 1; }
"$NATIVE" "$@"
# Emscripten 3.1.6 would fetch() its .wasm when node has fetch; by file path that fails.
node --no-experimental-fetch "$WASM" "$@"
