#!/usr/bin/env bash
# Client benchmark: a 1 GiB chunked upload through Tessera.Client (64 MiB parts, 4 in flight), with and without the
# whole file's MD5, against curl sending the same 16 parts 4 at a time to the same server in the same run (the
# server's own ingest figure). Prints GB/s, the ratio to curl, and the client's peak memory against its bound
# (part size x parts in flight + 64 MB). See bench/README.md.
#
# Usage: bench/client.sh
# Knobs (environment): REPS=5 WARMUPS=2 PORT=19485 SKIP_BUILD=1 (use the existing Release builds)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT_DIR="$REPO/bench/out"
REPS=${REPS:-5}
WARMUPS=${WARMUPS:-2}
PORT=${PORT:-19485}
PART_MIB=64
PARALLEL=4
GIB=1073741824
BASE="http://127.0.0.1:$PORT/v1"
AUTH='Authorization: Bearer bench'
CURL=(curl -sS --fail-with-body -H "$AUTH" -H 'Expect:')

log() { printf '[client-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

SERVER_BIN="$REPO/src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll"
CLIENT_BIN="$REPO/bench/Tessera.ClientBench/bin/Release/net10.0/Tessera.ClientBench.dll"
if [[ ${SKIP_BUILD:-0} -ne 1 ]]; then
    log "building the server and the client driver (Release)"
    dotnet build -c Release "$REPO/src/Tessera.Server" -nologo -v quiet >/dev/null || die "server build failed"
    dotnet build -c Release "$REPO/bench/Tessera.ClientBench" -nologo -v quiet >/dev/null || die "client build failed"
fi

WORK=$(mktemp -d /tmp/tessera-client-bench.XXXXXX)
SERVER_PID=
cleanup() {
    set +e
    if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

log "generating a 1 GiB file and its 16 parts"
head -c $GIB /dev/urandom > "$WORK/file.bin"
(cd "$WORK" && split -b ${PART_MIB}M -d -a 2 file.bin part.)

dotnet "$SERVER_BIN" --urls "http://127.0.0.1:$PORT" --Tessera:DataPath="$WORK/data" \
    --Logging:LogLevel:Default=Warning >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

now() { date +%s.%N; }
json_field() { sed -E "s/.*\"$1\":\"([^\"]+)\".*/\1/"; }

# One upload with curl: create, 16 parts 4 at a time, complete (no md5), delete. Prints seconds.
curl_upload() {
    local start upload ids file
    start=$(now)
    upload=$("${CURL[@]}" "$BASE/uploads" -H 'Content-Type: application/json' \
        -d "{\"filename\":\"file.bin\",\"purpose\":\"batch\",\"bytes\":$GIB,\"mime_type\":\"application/octet-stream\"}" | json_field id)
    ls "$WORK"/part.?? | xargs -P $PARALLEL -I{} sh -c \
        "curl -sS --fail-with-body -H '$AUTH' -H 'Expect:' -F data=@{} $BASE/uploads/$upload/parts > {}.id || { cat {}.id >&2; exit 1; }"
    ids=$(for p in "$WORK"/part.??; do printf '"%s",' "$(json_field id < "$p.id")"; done)
    file=$("${CURL[@]}" "$BASE/uploads/$upload/complete" -H 'Content-Type: application/json' \
        -d "{\"part_ids\":[${ids%,}]}" | sed -E 's/.*"file":\{"id":"([^"]+)".*/\1/')
    local seconds
    seconds=$(echo "$(now) - $start" | bc)
    "${CURL[@]}" -X DELETE "$BASE/files/$file" >/dev/null
    echo "$seconds"
}

# One upload with the client driver. Prints "seconds peak_rss".
client_upload() { dotnet "$CLIENT_BIN" "$BASE" "$WORK/file.bin" $PART_MIB $PARALLEL "$1" | awk '{print $1, $2, $3}'; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

log "warming up ($WARMUPS rounds each)"
for _ in $(seq 1 "$WARMUPS"); do curl_upload >/dev/null; client_upload nomd5 >/dev/null; client_upload md5 >/dev/null; done

: >"$WORK/curl.txt"; : >"$WORK/nomd5.txt"; : >"$WORK/md5.txt"
for rep in $(seq 1 "$REPS"); do
    log "repetition $rep of $REPS"
    curl_upload >>"$WORK/curl.txt"
    client_upload nomd5 >>"$WORK/nomd5.txt"
    client_upload md5 >>"$WORK/md5.txt"
done

gbps() { awk -v s="$1" -v b=$GIB 'BEGIN {printf "%.2f", b / s / 1e9}'; }
curl_s=$(median <"$WORK/curl.txt")
nomd5_s=$(awk '{print $1}' "$WORK/nomd5.txt" | median)
md5_s=$(awk '{print $1}' "$WORK/md5.txt" | median)
nomd5_rss=$(awk '{print $2}' "$WORK/nomd5.txt" | sort -g | tail -1)
md5_rss=$(awk '{print $2}' "$WORK/md5.txt" | sort -g | tail -1)
md5_parts_s=$(awk '{print $3}' "$WORK/md5.txt" | median)
bound=$((PART_MIB * 1048576 * PARALLEL + 64000000))
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b / a}'; }
mb() { awk -v b="$1" 'BEGIN {printf "%.0f", b / 1e6}'; }

mkdir -p "$OUT_DIR"
{
    echo "| 1 GiB upload, 64 MiB parts x 4 (median of $REPS) | GB/s | vs curl | client peak RSS (MB) | bound (MB) |"
    echo "|---|---|---|---|---|"
    echo "| curl, 4 in flight (reference) | $(gbps "$curl_s") | 1.00 | | |"
    echo "| Tessera.Client, no MD5 | $(gbps "$nomd5_s") | $(ratio "$nomd5_s" "$curl_s") | $(mb "$nomd5_rss") | $(mb $bound) |"
    echo "| Tessera.Client, with MD5 | $(gbps "$md5_s") | $(ratio "$md5_s" "$curl_s") | $(mb "$md5_rss") | $(mb $bound) |"
    echo "| ... of which its parts (client MD5 while reading), before the server checks the MD5 at complete | $(gbps "$md5_parts_s") | $(ratio "$md5_parts_s" "$curl_s") | | |"
} | tee "$OUT_DIR/client.md"
