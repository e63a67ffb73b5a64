#!/usr/bin/env bash
# Starts the scale-out topology on loopback, without Docker: a throwaway PostgreSQL cluster, an S3-compatible server
# (s3rver) and N Tessera nodes sharing both. Prints each node's URL, then waits; Ctrl-C stops everything and removes
# the cluster's folder unless --keep was given.
#
# Usage: deploy/local-cluster.sh [--nodes N] [--port P] [--dir DIR] [--keep] [-- extra Tessera settings...]
#   --nodes N   how many Tessera nodes (default 3), on ports P, P+1, ...
#   --port P    first node's port (default 8081); PostgreSQL takes P+100, s3rver P+101
#   --dir DIR   where PostgreSQL, s3rver and the logs keep their files (default: a new temporary folder)
#   --keep      leave DIR in place on exit
#   --no-build  use the server's existing Release build
# Needs PostgreSQL (apt-get install postgresql), Node.js with npm, and the .NET SDK.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODES=3
PORT=8081
DIR=""
KEEP=0
BUILD=1
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) NODES=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "local-cluster: unknown argument '$1'; see --help." >&2; exit 2 ;;
  esac
done
[[ "$NODES" =~ ^[1-9][0-9]*$ ]] || { echo "local-cluster: --nodes must be a positive number, not '$NODES'." >&2; exit 2; }

PG_PORT=$((PORT + 100))
S3_PORT=$((PORT + 101))
BUCKET=tessera
DIR=${DIR:-$(mktemp -d -t tessera-cluster-XXXXXX)}
mkdir -p "$DIR/logs"
PG_DIR="$DIR/pg"
PIDS=()

say() { printf '[local-cluster] %s\n' "$*" >&2; }
FAILED=0
die() { say "$*"; FAILED=1; exit 1; }

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n "$PG_BIN" ]] || die "PostgreSQL is not installed; run: apt-get install -y postgresql"
command -v npm >/dev/null || die "Node.js and npm are not installed; run: apt-get install -y nodejs npm"

# PostgreSQL refuses to run as root; run it as the postgres user then.
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  [[ -f "$PG_DIR/PG_VERSION" ]] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR" -m fast stop >/dev/null 2>&1
  if [[ $KEEP -eq 1 ]]; then
    say "kept $DIR"
  elif [[ $FAILED -eq 1 ]]; then
    # The logs a failure names stay for reading; the data goes.
    find "$DIR" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
    [[ "$PG_DIR" == "$DIR/pg" ]] || rm -rf "$PG_DIR"
    say "kept the logs in $DIR/logs"
  else
    rm -rf "$DIR"; [[ "$PG_DIR" == "$DIR/pg" ]] || rm -rf "$PG_DIR"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $BUILD -eq 1 ]]; then
  say "building the server"
  dotnet build "$REPO/src/Tessera.Server" -c Release -nologo -v quiet >/dev/null || die "the server did not build"
fi

say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
if [[ ! -f "$PG_DIR/PG_VERSION" ]]; then
  mkdir -p "$PG_DIR"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$PG_DIR"
    # The postgres user must reach the folder; a private temporary parent (mktemp -d) would not let it.
    if ! runuser -u postgres -- test -w "$PG_DIR"; then
      rmdir "$PG_DIR"
      PG_DIR=$(mktemp -d -t tessera-cluster-pg-XXXXXX)
      chmod 755 "$PG_DIR"
      chown postgres "$PG_DIR"
    fi
  fi
  as_pg "$PG_BIN/initdb" -D "$PG_DIR" -A trust -U postgres >"$DIR/logs/initdb.log" 2>&1 || die "initdb failed; see $DIR/logs/initdb.log"
fi
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/log" -w \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
  || die "PostgreSQL did not start; see $PG_DIR/log"
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'tessera'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE tessera" >/dev/null

say "starting s3rver on 127.0.0.1:$S3_PORT (bucket $BUCKET)"
# The tests' launcher: s3rver plus the two multipart calls it lacks (listing and aborting unfinished uploads).
S3_PACKAGE="$REPO/tests/s3-server"
[[ -d "$S3_PACKAGE/node_modules/s3rver" ]] || (cd "$S3_PACKAGE" && npm ci --silent >/dev/null) || die "npm ci failed in $S3_PACKAGE"
mkdir -p "$DIR/s3"
node "$S3_PACKAGE/server.js" --port "$S3_PORT" --directory "$DIR/s3" >"$DIR/logs/s3rver.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  grep -q '^listening' "$DIR/logs/s3rver.log" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -X PUT "http://127.0.0.1:$S3_PORT/$BUCKET" >/dev/null || die "could not create the bucket; see $DIR/logs/s3rver.log"

for i in $(seq 0 $((NODES - 1))); do
  port=$((PORT + i))
  dotnet "$REPO/src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll" \
    --urls "http://127.0.0.1:$port" \
    --Tessera:Metadata:Provider=Postgres \
    --Tessera:Metadata:ConnectionString="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=tessera" \
    --Tessera:Blobs:Provider=S3 \
    --Tessera:Blobs:S3:ServiceUrl="http://127.0.0.1:$S3_PORT" \
    --Tessera:Blobs:S3:Region=us-east-1 \
    --Tessera:Blobs:S3:Bucket="$BUCKET" \
    --Tessera:Blobs:S3:ForcePathStyle=true \
    --Tessera:Blobs:S3:AccessKey=S3RVER \
    --Tessera:Blobs:S3:SecretKey=S3RVER \
    "${EXTRA[@]}" >"$DIR/logs/node-$i.log" 2>&1 &
  PIDS+=($!)
done

# The inodes of the sockets listening on port $1, read from /proc (so no tool is needed).
listeners_on() {
  local port
  port=$(printf ':%04X' "$1")
  awk -v port="$port" '$4 == "0A" && substr($2, length($2) - 4) == port {print $10}' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Whether process $1 holds the socket listening on port $2. A health answer alone proves nothing: another process that
# had the port first answers it, while the node that failed to bind the port stops.
owns_listener() {
  local inode
  for inode in $(listeners_on "$2"); do
    [[ -n "$(find "/proc/$1/fd" -lname "socket:\[$inode\]" 2>/dev/null | head -1)" ]] && return 0
  done
  return 1
}

for i in $(seq 0 $((NODES - 1))); do
  port=$((PORT + i))
  pid=${PIDS[$((i + 1))]}
  log="$DIR/logs/node-$i.log"
  for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then
      # The exit status tells a crash (1) from a node told to stop (143: SIGTERM), which its log may not.
      status=0; wait "$pid" || status=$?
      die "node $i stopped (exit status $status); its log, $log, ends with: $(tail -3 "$log")"
    fi
    owns_listener "$pid" "$port" && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  if ! owns_listener "$pid" "$port"; then
    [[ -n "$(listeners_on "$port")" ]] && held=", another process holds that port" || held=""
    die "node $i (process $pid) is not listening on 127.0.0.1:$port$held; its log, $log, ends with: $(tail -3 "$log")"
  fi
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 || die "node $i did not become healthy; see its log, $log"
  kill -0 "$pid" 2>/dev/null || die "node $i stopped; see its log, $log"
done

say "ready: PostgreSQL 127.0.0.1:$PG_PORT, s3rver http://127.0.0.1:$S3_PORT, logs in $DIR/logs"
for i in $(seq 0 $((NODES - 1))); do
  echo "http://127.0.0.1:$((PORT + i))/v1"
done
say "Ctrl-C stops everything"
wait "${PIDS[@]}"
