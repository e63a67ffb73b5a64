#!/usr/bin/env bash
# Console benchmark: a 1 GiB upload through the web console in Debian's headless Chromium (no throttling; the page's
# own 16 MiB parts, 4 in flight, each part's CRC32C in WebAssembly sent with it and checked by the server; then again
# with that check off) against `tessera upload` of the same file to the same server in the same run (the native executable, its
# defaults: 64 MiB parts, 4 in flight, MD5). Prints the rates, the page's ratio to the CLI (target >= 0.8), the CPU each
# way cost the whole machine and the server, and the page's memory (JS heap and renderer RSS) when 256 MiB have gone up
# and at the end, to show it stays flat. See bench/README.md.
#
# Usage: bench/console.sh
# Knobs (environment): REPS=3 WARMUPS=1 SIZE_MIB=1024 PORT=19520 SKIP_BUILD=1 (use the existing Release builds)
#   TESSERA_CHROMIUM=/usr/bin/chromium
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT_DIR="$REPO/bench/out"
REPS=${REPS:-3}
WARMUPS=${WARMUPS:-1}
SIZE_MIB=${SIZE_MIB:-1024}
PORT=${PORT:-19520}
CHROMIUM=${TESSERA_CHROMIUM:-/usr/bin/chromium}

log() { printf '[console-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[[ -x $CHROMIUM ]] || die "no Chromium at $CHROMIUM (apt-get install chromium, or set TESSERA_CHROMIUM)"
SERVER_BIN="$REPO/src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll"
BENCH_BIN="$REPO/bench/Tessera.ConsoleBench/bin/Release/net10.0/Tessera.ConsoleBench.dll"
CLI_DIR="$OUT_DIR/console-cli"
if [[ ${SKIP_BUILD:-0} -ne 1 ]]; then
    log "building the server and the benchmark (Release)"
    dotnet build -c Release "$REPO/src/Tessera.Server" -nologo -v quiet >/dev/null || die "server build failed"
    dotnet build -c Release "$REPO/bench/Tessera.ConsoleBench" -nologo -v quiet >/dev/null || die "benchmark build failed"
    log "publishing the tessera command line as the native executable its tool package installs"
    RID=$(dotnet --info | awk '$1 == "RID:" {print $2; exit}')
    rm -rf "$CLI_DIR"
    dotnet publish -c Release -r "$RID" "$REPO/src/Tessera.Cli" -o "$CLI_DIR" -nologo -v quiet >/dev/null || die "tessera publish failed"
fi
[[ -x $CLI_DIR/tessera ]] || die "no tessera at $CLI_DIR (run without SKIP_BUILD=1)"

WORK=$(mktemp -d /tmp/tessera-console-bench.XXXXXX)
SERVER_PID=
cleanup() {
    set +e
    if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

log "generating a $SIZE_MIB MiB file"
head -c $((SIZE_MIB * 1048576)) /dev/urandom >"$WORK/upload.bin"

# Open mode: the page sends its placeholder key and the CLI any key, so neither measures a sign-in.
dotnet "$SERVER_BIN" --urls "http://127.0.0.1:$PORT" --Tessera:DataPath="$WORK/data" \
    --Logging:LogLevel:Default=Warning \
    --Logging:LogLevel:Tessera.Server.AccessLog=Warning >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$WORK/server.log" >&2; die "the server did not start"; }

log "uploading $SIZE_MIB MiB through the page and with tessera upload, in turn: $WARMUPS warm-up round(s), $REPS counted"
mkdir -p "$OUT_DIR"
dotnet "$BENCH_BIN" --url "http://127.0.0.1:$PORT/" --file "$WORK/upload.bin" --cli "$CLI_DIR/tessera" \
    --server-pid "$SERVER_PID" --reps "$REPS" --warmups "$WARMUPS" --chromium "$CHROMIUM" | tee "$OUT_DIR/console.md"
