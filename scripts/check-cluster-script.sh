#!/usr/bin/env bash
# deploy/local-cluster.sh tells the truth about its nodes: with another process holding a node's port and answering
# its health check as a healthy node would, the script must fail, naming that node and its log, and never say
# "ready". Needs what local-cluster.sh needs (PostgreSQL, Node.js, the server's Release build) and python3.
#
# Usage: scripts/check-cluster-script.sh [PORT]   (PORT: the node's port, default 18380; PORT+100 and +101 are used too)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
port=${1:-18380}
work=$(mktemp -d -t tessera-cluster-check-XXXXXX)
occupant=""
say() { printf '[check-cluster-script] %s\n' "$*" >&2; }
cleanup() {
  # Off here: the occupant's wait returns 143 (its SIGTERM), which would end the script with that status.
  set +e
  [[ -n "$occupant" ]] && kill "$occupant" 2>/dev/null && wait "$occupant" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

command -v python3 >/dev/null || { say "python3 is needed to hold the node's port; install it (apt-get install -y python3)"; exit 1; }

# The occupant answers GET /healthz with 200, as a healthy node would.
mkdir -p "$work/occupant"
echo '{"status":"healthy"}' >"$work/occupant/healthz"
python3 -m http.server --bind 127.0.0.1 --directory "$work/occupant" "$port" >"$work/occupant.log" 2>&1 &
occupant=$!
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { say "the occupant did not start on port $port"; cat "$work/occupant.log" >&2; exit 1; }

status=0
"$root/deploy/local-cluster.sh" --no-build --nodes 1 --port "$port" --dir "$work/cluster" \
  -- --Tessera:Projects:0:Name=check --Tessera:Projects:0:Keys:0=sk-cluster-check-0001 \
  >"$work/out" 2>"$work/err" </dev/null || status=$?

failed=0
expect() { say "expected $1"; echo "--- local-cluster.sh's output:" >&2; cat "$work/out" "$work/err" >&2; failed=1; }
[[ $status -ne 0 ]] || expect "a failure, got exit status 0"
grep -q '^\[local-cluster\] ready' "$work/err" && expect "no \"ready\" line"
grep -q '^http://' "$work/out" && expect "no node URL on standard output"
grep -q "node 0 .*$work/cluster/logs/node-0.log" "$work/err" || expect "a line naming node 0 and its log, $work/cluster/logs/node-0.log"
[[ -f "$work/cluster/logs/node-0.log" ]] || expect "node 0's log kept for reading"
if [[ $failed -ne 0 ]]; then
  exit 1
fi
say "passed: $(grep -m1 'node 0 ' "$work/err")"
