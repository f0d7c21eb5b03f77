# Download size of the web build: raw and gzip -9 KB of funnel.wasm, funnel.js and each font.
# Prints "name value unit" lines for scripts/bench.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
WEB=${FUNNEL_BUILD_PREFIX:-build/}web

kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
figure() {  # name-prefix file
  local raw gz
  [[ -f $2 ]] || { echo "size: $2 missing (scripts/build web)" >&2; return 1; }
  raw=$(stat -c %s "$2")
  gz=$(gzip -9 -c "$2" | wc -c)
  echo "$1.raw_kb $(kb "$raw") KB"
  echo "$1.gzip_kb $(kb "$gz") KB"
}

status=0
figure size.wasm "$WEB/funnel.wasm" || status=1
figure size.js "$WEB/funnel.js" || status=1
for f in "$WEB"/fonts/*.otf "$WEB"/fonts/*.ttf; do
  [[ -f $f ]] || continue
  name=$(basename "$f"); name=${name%.*}
  figure "size.font.$name" "$f" || status=1
done
exit $status
