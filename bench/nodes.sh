#!/usr/bin/env bash
# Scale-out benchmark: ingest through 1, 2 and 3 Tessera nodes sharing one PostgreSQL and one s3rver (started by
# deploy/local-cluster.sh), with what both engines saw; then complete of 1 GiB against 1 MiB on S3. See bench/README.md.
# Usage: bench/nodes.sh [--nodes 3] [--port 19600] [benchmark options: --clients 16 --uploads 4 --parts 96
#        --part-mib 4 --rounds 3 --settle 11 --complete-reps 5 --complete-parts 16 --complete-part-mib 64]
#        SKIP_BUILD=1 uses the existing Release builds (the server's and the benchmark's). Needs what
#        deploy/local-cluster.sh needs.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
NODES=3
PORT=19600
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) NODES=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) ARGS+=("$1" "$2"); shift 2 ;;
  esac
done

say() { printf '[nodes] %s\n' "$*" >&2; }

CLUSTER_BUILD=()
if [[ ${SKIP_BUILD:-0} -ne 1 ]]; then
  say "building the benchmark"
  dotnet build -c Release "$REPO/bench/Tessera.LoadBench" -nologo -v quiet >/dev/null
else
  CLUSTER_BUILD=(--no-build)
fi
mkdir -p "$REPO/bench/out"

DIR=$(mktemp -d -t tessera-nodes-XXXXXX)
# PostgreSQL runs as its own user (when this runs as root): it must reach its folder inside this one, where the
# benchmark reads its log.
chmod 755 "$DIR"
CLUSTER=""
cleanup() {
  set +e
  # The cluster script stops its nodes, PostgreSQL and s3rver and removes DIR when it is told to stop.
  if [[ -n "$CLUSTER" ]]; then kill -TERM "$CLUSTER" 2>/dev/null; wait "$CLUSTER" 2>/dev/null; fi
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Access logs and informational lines off: the nodes' own console is not what is measured.
"$REPO/deploy/local-cluster.sh" --nodes "$NODES" --port "$PORT" --dir "$DIR/cluster" "${CLUSTER_BUILD[@]}" -- \
  --Logging:LogLevel:Default=Warning --Logging:LogLevel:Tessera=Warning \
  --Logging:LogLevel:Tessera.Server.AccessLog=Warning \
  >"$DIR/urls" 2>"$DIR/cluster.log" &
CLUSTER=$!
until [[ $(wc -l <"$DIR/urls") -ge $NODES ]]; do
  kill -0 "$CLUSTER" 2>/dev/null || { cat "$DIR/cluster.log" >&2; say "the cluster did not start"; exit 1; }
  sleep 0.5
done
say "cluster up: $(paste -sd' ' "$DIR/urls")"

PG="Host=127.0.0.1;Port=$((PORT + 100));Username=postgres;Database=postgres"
# Every lock wait longer than 1 ms is logged with its length; both settings take effect on reload, no restart.
psql -h 127.0.0.1 -p $((PORT + 100)) -U postgres -d postgres -qc "ALTER SYSTEM SET log_lock_waits = on" \
  -c "ALTER SYSTEM SET deadlock_timeout = '1ms'" -c "SELECT pg_reload_conf()" >/dev/null

dotnet "$REPO/bench/Tessera.LoadBench/bin/Release/net10.0/Tessera.LoadBench.dll" nodes \
  --targets "$(paste -sd, "$DIR/urls")" --postgres "$PG" --postgres-log "$DIR/cluster/pg/log" \
  --s3-log "$DIR/cluster/logs/s3rver.log" "${ARGS[@]}" | tee "$REPO/bench/out/nodes.md"
