#!/usr/bin/env bash
# Funnel — integration test of team sync through the native client: funnel-serve on a free port,
# three funnel-sync replicas (clocks an hour apart) editing offline and syncing in turns → the
# same document and sync state everywhere; a bad team file is refused (exit 4), left as it was,
# kept as a backup, and the local store is untouched.
#   tests/sync/sync_cli_test.sh <funnel-serve> <funnel-sync>      (ctest: sync_cli)
set -euo pipefail
SERVE=$1
SYNC=$2
work=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$work/root" "$work/data"
"$SERVE" --port 0 --root "$work/root" --data "$work/data" --quiet >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 200); do grep -q 'running at' "$work/serve.log" && break; sleep 0.05; done
port=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -1 | sed 's/.*://')
[[ -n $port ]] || fail "funnel-serve did not start: $(cat "$work/serve.log")"
URL=http://127.0.0.1:$port/sync/team.json

declare -A REPLICA=([a]=000000000000000a [b]=000000000000000b [c]=000000000000000c)
declare -A SKEW=([a]=0 [b]=-3600000 [c]=3600000)
fs() {  # replica, actions…
  local r=$1; shift
  "$SYNC" --store "$work/$r" --url "$URL" --replica "${REPLICA[$r]}" --skew-ms "${SKEW[$r]}" --seed 7 \
    --timeout-ms 5000 "$@"
}
synced() {  # replica: one sync that must be confirmed
  local out
  out=$(fs "$1" sync) || fail "sync of $1 exited $?: $out"
  [[ $out == *'"ok":true'* ]] || fail "sync of $1: $out"
}

fs a command '{"op":"deal.create","id":"d1","title":"Shared deal","value":100}' >/dev/null
synced a
synced b
synced c
# Offline edits: b and c edit the same field concurrently, others edit other things.
fs b command '{"op":"deal.set","id":"d1","field":"title","value":"Title by b"}' \
     command '{"op":"deal.create","id":"d2","title":"From b"}' >/dev/null
fs c command '{"op":"deal.set","id":"d1","field":"title","value":"Title by c"}' \
     command '{"op":"deal.objection.add","dealId":"d1","id":"o1","text":"Too slow"}' >/dev/null
fs a command '{"op":"deal.set","id":"d1","field":"value","value":250}' \
     command '{"op":"deal.create","id":"d3","title":"From a"}' \
     command '{"op":"deal.delete","id":"d3"}' >/dev/null
synced c
synced a
synced b
for r in a b c a b c; do synced $r; done

da=$(fs a dump); db=$(fs b dump); dc=$(fs c dump)
[[ $da == "$db" ]] || fail "a and b differ"
[[ $db == "$dc" ]] || fail "b and c differ"
grep -q '"value":250' <<<"$da" || fail "a's value edit is missing"
grep -q '"From b"' <<<"$da" || fail "b's deal is missing"
grep -q '"Too slow"' <<<"$da" || fail "c's objection is missing"
# The concurrent title edit: one wins, the other is an open conflict on every replica.
conflicts=$(fs b conflicts)
grep -q '"field":"title"' <<<"$conflicts" || fail "the losing title is not in the conflict log: $conflicts"
[[ $(fs a conflicts) == "$conflicts" ]] || fail "conflict logs differ"

# A bad team file: refused with exit 4, the server file unchanged, the local store untouched.
printf '{"format":"funnel","version":1,"deals":[{"id":' >"$work/data/broken.json"
before=$(fs a dump)
set +e
out=$("$SYNC" --store "$work/a" --url "http://127.0.0.1:$port/sync/broken.json" --max-attempts 2 sync)
code=$?
set -e
[[ $code == 4 ]] || fail "a bad remote exited $code: $out"
[[ $out == *'"error":"sync.error.bad_remote"'* ]] || fail "bad remote: $out"
[[ $(cat "$work/data/broken.json") == '{"format":"funnel","version":1,"deals":[{"id":' ]] || fail "the bad file was overwritten"
ls "$work/a"/rejected-*.json >/dev/null 2>&1 || fail "the bad file was not kept as a backup"
[[ $(fs a dump) == "$before" ]] || fail "the local store changed"

# Nobody listening: gives up after the attempts (exit 3), local edits kept for later.
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
fs a command '{"op":"deal.create","id":"d4","title":"Offline"}' >/dev/null
set +e
out=$(fs a --max-attempts 2 sync)
code=$?
set -e
[[ $code == 3 ]] || fail "an unreachable server exited $code: $out"
grep -q '"Offline"' <<<"$(fs a dump)" || fail "the offline edit is gone"
echo "sync_cli: ok"
